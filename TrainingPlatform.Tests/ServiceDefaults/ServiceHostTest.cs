namespace TrainingPlatform.Tests.ServiceDefaults;

/// <summary>A fresh <see cref="ServiceHost"/> (own registry, own logs) for each test, and a client for it.</summary>
public abstract class ServiceHostTest(IReadOnlyDictionary<string, string?>? settings = null) : IAsyncLifetime
{
    /// <summary>Settings that switch /metrics on, for tests that scrape outside Development.</summary>
    protected static readonly IReadOnlyDictionary<string, string?> MetricsOn = new Dictionary<string, string?> { ["Metrics:Enabled"] = "true" };

    protected ServiceHost Host { get; private set; } = null!;
    protected HttpClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Host = await ServiceHost.StartAsync(settings: settings);
        Client = Host.CreateClient();
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Host.DisposeAsync();
    }
}
