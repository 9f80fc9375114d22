using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Npgsql;
using TrainingPlatform.Tests.Infrastructure;

namespace TrainingPlatform.Tests.Api;

/// <summary>
/// One API on its own fresh database per test class, with limits raised so the tests' many sign-ins from one
/// loopback address are not throttled (the rate limit tests start their own) and cheap password hashing. A derived
/// fixture adds or replaces settings for one test class.
/// </summary>
public class ApiFixture : IAsyncLifetime
{
    public static readonly IReadOnlyDictionary<string, string?> Settings = new Dictionary<string, string?>
    {
        ["RateLimits:PermitLimit"] = "100000",
        ["RateLimits:AccountPermitLimit"] = "100000",
        ["RateLimits:AccountResetLimit"] = "100000",
        ["Passwords:HashIterations"] = "1000",
        ["Uploads:MaxBytes"] = "4096",
    };

    private readonly IReadOnlyDictionary<string, string?> _overrides;
    private int _accounts;

    public ApiFixture()
        : this(new Dictionary<string, string?>())
    {
    }

    protected ApiFixture(IReadOnlyDictionary<string, string?> overrides) => _overrides = overrides;

    public ApiServer Server { get; private set; } = null!;
    public string ConnectionString { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var postgres = await PostgresServer.SharedAsync();
        ConnectionString = await postgres.CreateDatabaseAsync();
        var settings = new Dictionary<string, string?>(await SettingsAsync());
        foreach (var (key, value) in _overrides)
        {
            settings[key] = value;
        }
        Server = await ApiServer.StartAsync(settings, postgres: postgres, connectionString: ConnectionString);
    }

    protected virtual Task<IReadOnlyDictionary<string, string?>> SettingsAsync() => Task.FromResult(Settings);

    public async Task DisposeAsync() => await Server.DisposeAsync();

    public HttpClient Anonymous() => Server.CreateHttpClient();

    /// <summary>Registers a new account with <paramref name="role"/>, signs it in, and returns a client carrying its access token.</summary>
    public async Task<TestAccount> NewAccountAsync(string role = "learner")
    {
        var email = $"user{Interlocked.Increment(ref _accounts)}-{Guid.NewGuid():N}@example.test";
        const string password = "correct horse battery staple";
        using var anonymous = Anonymous();
        var registered = await anonymous.PostAsJsonAsync("/api/v1/auth/register/", new { email, password, displayName = "Test " + role, role });
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        var user = (await registered.Content.ReadFromJsonAsync<UserBody>())!;
        var tokens = await SignInAsync(email, password);
        var client = Anonymous();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", tokens.Access);
        return new TestAccount(user.Id, email, password, tokens, client);
    }

    public async Task<TokenBody> SignInAsync(string email, string password)
    {
        using var anonymous = Anonymous();
        var response = await anonymous.PostAsJsonAsync("/api/v1/token/", new { email, password });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<TokenBody>())!;
    }

    public async Task<long> CountAsync(string table)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"SELECT count(*) FROM {table}", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}

public sealed record TestAccount(long Id, string Email, string Password, TokenBody Tokens, HttpClient Client);

public sealed record TokenBody(string Access, string Refresh, string TokenType, int ExpiresIn);

public sealed record UserBody(long Id, string Email, string DisplayName, string Role, DateTime CreatedAt);

/// <summary>The API of <see cref="ApiFixture"/>, sending password reset emails through the run's shared <see cref="MailCatcher"/>.</summary>
public sealed class MailingApiFixture : ApiFixture
{
    public MailCatcher Mail { get; private set; } = null!;

    protected override async Task<IReadOnlyDictionary<string, string?>> SettingsAsync()
    {
        Mail = await MailCatcher.SharedAsync();
        return new Dictionary<string, string?>(Settings.Concat(Mail.ApiSettings));
    }
}
