using System.Reflection;

namespace TrainingPlatform.Tests.Release;

/// <summary>
/// The release checklist's expand/contract rule, checked where text can check it: an <c>Up()</c> that drops, renames
/// or retypes a column or table, or constrains existing rows, is a contract step and its file must say so in a
/// <c>// Contract:</c> comment. It reads the source, so SQL built at run time or loaded from a script escapes it; the
/// proof that the previous release works with the schema is <see cref="PreviousReleaseTests"/>.
/// </summary>
public partial class MigrationRulesTests
{
    private static readonly string Folder = Path.Combine(RepositoryRoot.Path, "TrainingPlatform.Api", "Data", "Migrations");

    [Fact]
    public void Every_migration_file_is_named_after_its_version_and_class()
    {
        var migrations = typeof(Program).Assembly.GetTypes()
            .Select(type => (type.Name, type.GetCustomAttribute<FluentMigrator.MigrationAttribute>()?.Version))
            .Where(migration => migration.Version is not null)
            .ToArray();
        var files = Directory.GetFiles(Folder, "*.cs").Select(file => Path.GetFileName(file)).ToArray();

        Assert.All(migrations, migration => Assert.StartsWith($"M{migration.Version}_", migration.Name));
        Assert.Equal(migrations.Select(migration => $"{migration.Name}.cs").Order(), files.Order());
        Assert.All(files, file => Assert.Matches(PreviousRelease.MigrationFileName(), file));
    }

    [Fact]
    public void No_migration_contracts_the_schema_without_saying_so()
    {
        var unmarked = Directory.GetFiles(Folder, "*.cs")
            .Select(file => (File: Path.GetFileName(file), Steps: ContractSteps(File.ReadAllText(file))))
            .Where(migration => migration.Steps.Count > 0)
            .Select(migration => $"{migration.File}: {string.Join(", ", migration.Steps)}")
            .ToArray();

        Assert.True(unmarked.Length == 0,
            "contract steps without a // Contract: comment (ops/docs/release-checklist.md#migrations-expand-then-contract):\n"
            + string.Join('\n', unmarked));
    }

    [Theory]
    [InlineData("""Execute.Sql("ALTER TABLE courses DROP COLUMN summary;");""", "DROP COLUMN")]
    [InlineData("""Execute.Sql("ALTER TABLE courses RENAME COLUMN title TO name;");""", "RENAME")]
    [InlineData("""Execute.Sql("ALTER TABLE courses ALTER COLUMN title TYPE varchar(100);");""", "ALTER COLUMN title TYPE")]
    [InlineData("""Execute.Sql("alter table courses alter column title set not null;");""", "set not null")]
    [InlineData("""Delete.Column("summary").FromTable("courses");""", "Delete.Column")]
    [InlineData("""Rename.Table("courses").To("classes");""", "Rename")]
    public void A_contract_step_in_up_is_found_and_a_comment_accepts_it(string up, string step)
    {
        var migration = $$"""
            public sealed class M202701010001_Example : Migration
            {
                public override void Up()
                {
                    {{up}}
                }

                public override void Down()
                {
                    Execute.Sql("DROP TABLE courses; ALTER TABLE courses DROP COLUMN x;");
                }
            }
            """;

        Assert.Equal([step], ContractSteps(migration));
        Assert.Empty(ContractSteps("// Contract: v2026.12.04.1 stopped reading the column.\n" + migration));
    }

    [Fact]
    public void Expand_steps_and_a_down_that_drops_are_not_contract_steps()
    {
        Assert.Empty(ContractSteps("""
            public override void Up()
            {
                Execute.Sql("ALTER TABLE courses ADD COLUMN summary text NULL; CREATE INDEX courses_summary_idx ON courses (summary);");
                Execute.Sql("ALTER TABLE course_materials ALTER COLUMN content SET STORAGE EXTERNAL;");
            }

            public override void Down()
            {
                Execute.Sql("DROP INDEX courses_summary_idx; ALTER TABLE courses DROP COLUMN summary;");
            }
            """));
    }

    /// <summary>The contract steps in a migration's <c>Up()</c>, none when the source carries a <c>// Contract:</c> comment.</summary>
    private static List<string> ContractSteps(string source)
    {
        if (source.Contains("// Contract:", StringComparison.Ordinal))
        {
            return [];
        }
        var up = UpMethod().Match(source);
        Assert.True(up.Success, "no Up() found");
        var body = Body(source, up.Index + up.Length);
        return ContractStep().Matches(body).Select(m => m.Value).ToList();
    }

    /// <summary>The text between the brace that opens at or after <paramref name="from"/> and its match.</summary>
    private static string Body(string source, int from)
    {
        var open = source.IndexOf('{', from);
        var depth = 0;
        for (var i = open; i < source.Length; i++)
        {
            depth += source[i] switch { '{' => 1, '}' => -1, _ => 0 };
            if (depth == 0)
            {
                return source[(open + 1)..i];
            }
        }
        throw new FormatException("Up() has no closing brace");
    }

    [GeneratedRegex(@"\bvoid\s+Up\s*\(\s*\)")]
    private static partial Regex UpMethod();

    [GeneratedRegex(@"(?i:\bDROP\s+(COLUMN|TABLE)\b|\bRENAME\b|\bALTER\s+COLUMN\s+\w+\s+(SET\s+DATA\s+)?TYPE\b|\bSET\s+NOT\s+NULL\b|\bADD\s+CONSTRAINT\b)|\bDelete\.(Column|Table)\b|\bAlter\.Column\b|\.AlterColumn\(")]
    private static partial Regex ContractStep();
}
