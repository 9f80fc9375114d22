using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using TrainingPlatform.Api.Accounts;
using TrainingPlatform.Api.Data;
using TrainingPlatform.Api.Sessions;

namespace TrainingPlatform.Benchmarks;

/// <summary>
/// The per-request cost of checking an access token's session: JWT bearer authentication of one request as the API
/// configures it, without the session check, with it answered from the replica's cache (every request but one per
/// interval), and with the cache off (one primary-key lookup on a real Postgres each time: the miss).
/// </summary>
[MemoryDiagnoser]
public class SessionCheckBenchmarks
{
    /// <summary>The database to use, set by <see cref="SessionCheckCost"/> (BenchmarkDotNet runs in this process).</summary>
    public static string ConnectionString { get; set; } = "";

    private static readonly byte[] SigningKey = "benchmark-signing-key-0123456789-abcdefghijklmnopqrstuvwxyz"u8.ToArray();

    private readonly List<IDisposable> _owned = [];
    private string _token = "";
    private IServiceProvider _plain = null!;
    private IServiceProvider _cached = null!;
    private IServiceProvider _uncached = null!;

    [GlobalSetup]
    public void Setup()
    {
        var configuration = Configuration(cacheSeconds: SessionRevocations.DefaultCacheSeconds);
        new SchemaMigrator(configuration, NullLoggerFactory.Instance).UpAsync().GetAwaiter().GetResult();
        using var dataSource = NpgsqlDataSource.Create(ConnectionString);
        var (user, sessionId) = SeedAsync(dataSource).GetAwaiter().GetResult();
        _token = new AccessTokens(Options.Create(Jwt()), TimeProvider.System).Issue(user, sessionId);

        _plain = Services(configuration, check: false);
        _cached = Services(configuration, check: true);
        _uncached = Services(Configuration(cacheSeconds: 0), check: true);
        foreach (var services in new[] { _plain, _cached, _uncached })
        {
            if (!AuthenticateAsync(services).GetAwaiter().GetResult())
            {
                throw new InvalidOperationException("The benchmark token does not authenticate.");
            }
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var owned in _owned)
        {
            owned.Dispose();
        }
    }

    [Benchmark(Baseline = true, Description = "jwt")]
    public Task<bool> Plain() => AuthenticateAsync(_plain);

    [Benchmark(Description = "jwt+session (cached)")]
    public Task<bool> Cached() => AuthenticateAsync(_cached);

    [Benchmark(Description = "jwt+session (lookup)")]
    public Task<bool> Uncached() => AuthenticateAsync(_uncached);

    // A request scope per call, as in the API: the handler caches its result for the life of one request.
    private async Task<bool> AuthenticateAsync(IServiceProvider services)
    {
        using var scope = services.CreateScope();
        var context = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
        context.Request.Headers.Authorization = "Bearer " + _token;
        return (await context.AuthenticateAsync(JwtBearerDefaults.AuthenticationScheme)).Succeeded;
    }

    private static JwtSettings Jwt() => new() { SigningKeyBytes = SigningKey };

    private static IConfiguration Configuration(int cacheSeconds) => new ConfigurationBuilder()
        .AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:training"] = ConnectionString,
            ["Sessions:RevocationCacheSeconds"] = cacheSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
        })
        .Build();

    private ServiceProvider Services(IConfiguration configuration, bool check)
    {
        var services = new ServiceCollection()
            .AddLogging()
            .AddSingleton(configuration)
            .AddSingleton(TimeProvider.System)
            .AddMemoryCache()
            .AddSingleton(_ => NpgsqlDataSource.Create(ConnectionString))
            .AddSingleton<SessionStore>()
            .AddSingleton<SessionRevocations>()
            .Configure<JwtSettings>(settings => settings.SigningKeyBytes = SigningKey);
        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer(options =>
        {
            options.MapInboundClaims = false;
            options.TokenValidationParameters = AccessTokens.ValidationParameters(Jwt());
            if (check)
            {
                options.Events = new JwtBearerEvents { OnTokenValidated = SessionRevocations.RejectEndedSessionAsync };
            }
        });
        var provider = services.BuildServiceProvider();
        _owned.Add(provider);
        return provider;
    }

    private static async Task<(UserAccount User, Guid SessionId)> SeedAsync(NpgsqlDataSource dataSource)
    {
        var sessionId = Guid.NewGuid();
        var email = $"bench-{sessionId:N}@example.test";
        await using var command = dataSource.CreateCommand(
            """
            WITH u AS (INSERT INTO users (email, display_name, role, password_hash) VALUES (@email, 'Bench', 'learner', 'x') RETURNING id, created_at)
            INSERT INTO sessions (id, user_id) SELECT @sessionId, id FROM u RETURNING user_id, (SELECT created_at FROM u)
            """);
        command.Parameters.AddWithValue("email", email);
        command.Parameters.AddWithValue("sessionId", sessionId);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (new UserAccount(reader.GetInt64(0), email, "Bench", Roles.Learner, "x", reader.GetDateTime(1), reader.GetDateTime(1)), sessionId);
    }
}
