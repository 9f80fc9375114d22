namespace TrainingPlatform.Tests.Api;

/// <summary>
/// One API on its own fresh database per test class, with limits raised so the tests' many sign-ins and writes from
/// one loopback address are not throttled (the rate limit tests start their own) and cheap password hashing. A derived
/// fixture adds or replaces settings for one test class.
/// </summary>
public class ApiFixture : IAsyncLifetime
{
    public static readonly IReadOnlyDictionary<string, string?> Settings = new Dictionary<string, string?>
    {
        ["RateLimits:PermitLimit"] = "100000",
        ["RateLimits:AccountPermitLimit"] = "100000",
        ["RateLimits:AccountResetLimit"] = "100000",
        ["RateLimits:WritePermitLimit"] = "100000",
        // The soak and outage drills create courses in a loop as one instructor.
        ["Courses:MaxCoursesPerOwner"] = "100000",
        ["Passwords:HashIterations"] = "1000",
        ["Uploads:MaxBytes"] = "4096",
        // The warm-up costs each start 2-3 s of both cores here; WarmUpTests, the stack and the benchmarks run it.
        ["WarmUp:Calls"] = "0",
    };

    private readonly IReadOnlyDictionary<string, string?> _overrides;

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
    public Task<TestAccount> NewAccountAsync(string role = "learner") => TestAccounts.NewAsync(Anonymous, role);

    public async Task<TokenBody> SignInAsync(string email, string password)
    {
        using var anonymous = Anonymous();
        return await TestAccounts.SignInAsync(anonymous, email, password);
    }

    public Task<long> CountAsync(string table) => Rows.CountAsync(ConnectionString, table);
}

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
