using System.Security.Cryptography;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using TrainingPlatform.Api.Data;

namespace TrainingPlatform.Tests.Ops.Scripts;

/// <summary>
/// A database with the API's schema and a realistic little data set: users, courses, lessons,
/// enrollments, completions, tokens and uploaded files. The data goes in through SQL against the
/// contract table names, so the drill compares exactly what Postgres holds before and after.
/// </summary>
public sealed class DrillDatabase
{
    public const int Users = 2000;
    public const int Courses = 200;
    public const int LessonsPerCourse = 10;
    public const int Files = 4;
    public const int FileBytes = 1024 * 1024;

    private DrillDatabase(PostgresServer server, string connectionString)
    {
        Server = server;
        ConnectionString = connectionString;
        Name = new NpgsqlConnectionStringBuilder(connectionString).Database!;
    }

    public PostgresServer Server { get; }
    public string ConnectionString { get; }
    public string Name { get; }

    /// <summary>The URL an operator would export; the password is the one the scripts must never print.</summary>
    public string Url => $"postgresql://postgres:{Server.Password}@127.0.0.1:{Server.Port}/{Name}";

    public IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string>
    {
        ["DATABASE_URL"] = Url,
        ["PG_BIN"] = Server.BinDirectory,
    };

    // Migrated and seeded once per run; each drill gets a copy (CREATE DATABASE … TEMPLATE copies files, which is
    // far cheaper than running the migrations and the seed again for each of the drills).
    private static readonly Lazy<Task<string>> Template = new(CreateTemplateAsync);

    /// <summary>A database of its own, holding the schema and the data set.</summary>
    public static async Task<DrillDatabase> CreateSeededAsync()
    {
        var server = await PostgresServer.SharedAsync();
        return new DrillDatabase(server, await server.CreateDatabaseAsync(template: await Template.Value));
    }

    private static async Task<string> CreateTemplateAsync()
    {
        var server = await PostgresServer.SharedAsync();
        var template = new DrillDatabase(server, await server.CreateDatabaseAsync());
        await CreateSchemaAsync(template.ConnectionString);
        // Its connection strings have pooling off: no session stays open that would stop a copy.
        await template.SeedAsync();
        return template.Name;
    }

    // The API's own migrations, so the drill backs up and restores the schema production has.
    public static Task CreateSchemaAsync(string connectionString) => new SchemaMigrator(
        new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:training"] = connectionString }).Build(),
        NullLoggerFactory.Instance).UpAsync();

    private async Task SeedAsync()
    {
        await ExecuteAsync($"""
            insert into users (email, display_name, role, password_hash)
            select 'user' || n || '@example.test', 'User ' || n, case when n <= 20 then 'instructor' else 'learner' end,
                   md5('password' || n)
            from generate_series(1, {Users}) n;
            insert into courses (instructor_id, title, description, published)
            select (select id from users where email = 'user' || (n % 20 + 1) || '@example.test'),
                   'Course ' || n, repeat('About course ' || n || '. ', 20), n % 3 <> 0
            from generate_series(1, {Courses}) n;
            insert into lessons (course_id, position, title, content)
            select c.id, n, c.title || ', lesson ' || n, repeat('Lesson text. ', 50)
            from courses c cross join generate_series(1, {LessonsPerCourse}) n;
            insert into enrollments (user_id, course_id)
            select u.id, c.id
            from (select id, row_number() over (order by email) as rn from users) u
            join (select id, row_number() over (order by title) as rn from courses) c
              on c.rn in (u.rn % {Courses} + 1, (u.rn * 7 + 3) % {Courses} + 1);
            insert into lesson_completions (enrollment_id, lesson_id)
            select e.id, l.id from enrollments e join lessons l on l.course_id = e.course_id where l.position <= 3;
            insert into sessions (id, user_id)
            select gen_random_uuid(), id from users where email like 'user1%';
            insert into refresh_tokens (user_id, family_id, token_hash, expires_at)
            select u.id, s.id, sha256(convert_to('refresh' || u.email, 'UTF8')), now() + interval '14 days'
            from sessions s join users u on u.id = s.user_id;
            insert into password_reset_tokens (user_id, token_hash, expires_at)
            select id, sha256(convert_to('reset' || email, 'UTF8')), now() + interval '1 hour' from users where email like 'user2%';
            """);

        await using var connection = await OpenAsync();
        for (var i = 1; i <= Files; i++)
        {
            var content = RandomNumberGenerator.GetBytes(FileBytes);
            await using var insert = new NpgsqlCommand("""
                insert into course_materials (course_id, uploaded_by, file_name, content_type, size_bytes, sha256, content)
                select id, instructor_id, @name, 'application/pdf', @size, @sha256, @content from courses where title = 'Course ' || @course
                """, connection);
            insert.Parameters.AddWithValue("name", $"handout-{i}.pdf");
            insert.Parameters.AddWithValue("size", (long)content.Length);
            insert.Parameters.AddWithValue("sha256", Convert.ToHexStringLower(SHA256.HashData(content)));
            insert.Parameters.AddWithValue("content", content);
            insert.Parameters.AddWithValue("course", i.ToString());
            await insert.ExecuteNonQueryAsync();
        }
    }

    public async Task ExecuteAsync(string sql)
    {
        await using var connection = await OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>An md5 of every row of every table (rows in text form, in a fixed order), by table name.</summary>
    public Task<IReadOnlyDictionary<string, TableContent>> TableChecksumsAsync() => Rows.ChecksumsAsync(ConnectionString);

    /// <summary>The uploaded files' bytes by file name, each checked against its recorded sha256.</summary>
    public async Task<IReadOnlyDictionary<string, byte[]>> FilesAsync()
    {
        await using var connection = await OpenAsync();
        await using var command = new NpgsqlCommand("select file_name, sha256, content from course_materials order by file_name", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var files = new SortedDictionary<string, byte[]>(StringComparer.Ordinal);
        while (await reader.ReadAsync())
        {
            var content = (byte[])reader["content"];
            Assert.Equal(reader.GetString(1), Convert.ToHexStringLower(SHA256.HashData(content)));
            files[reader.GetString(0)] = content;
        }
        return files;
    }

    public async Task<string> SchemaVersionAsync()
    {
        await using var connection = await OpenAsync();
        await using var command = new NpgsqlCommand("select max(\"Version\") from public.\"VersionInfo\"", connection);
        return ((long)(await command.ExecuteScalarAsync())!).ToString();
    }

    public async Task<long> SizeBytesAsync()
    {
        await using var connection = await OpenAsync();
        await using var command = new NpgsqlCommand("select pg_database_size(current_database())", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>What an incident does: tables dropped, rows changed and deleted.</summary>
    public Task WreckAsync() => ExecuteAsync("""
        drop table course_materials;
        drop table lesson_completions;
        update users set email = 'wrecked-' || email where email like 'user3%';
        delete from enrollments where course_id in (select id from courses where title like 'Course 1%');
        update courses set title = 'wrecked' where title = 'Course 7';
        """);

    private async Task<NpgsqlConnection> OpenAsync()
    {
        var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        return connection;
    }
}
