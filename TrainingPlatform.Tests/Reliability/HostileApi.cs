using TrainingPlatform.Tests.Api;
using TrainingPlatform.Tests.ServiceDefaults;

namespace TrainingPlatform.Tests.Reliability;

/// <summary>
/// One API process for the hostile-input classes of the <see cref="ReliabilityCollection"/>, which run one after
/// another (a process each cost about 2 CPU-s), on its own database, with an instructor and a learner, and the
/// means to prove an attack changed nothing: the content of every table (found in the catalog, checksummed), and
/// the audit's counters on /metrics, read once the audit has caught up with the answers.
/// </summary>
public sealed class HostileApi : IAsyncLifetime
{
    // The audit counts a request just after its answer; on a loaded machine the count must still show within this.
    private static readonly TimeSpan AuditBound = TimeSpan.FromSeconds(10);

    // What the catch-up request raises: an anonymous call to a protected route is always exactly one such event.
    private const string CatchUpReason = "unauthorized";

    public ApiProcess Process { get; private set; } = null!;
    public string ConnectionString { get; private set; } = null!;
    public TestAccount Instructor { get; private set; } = null!;
    public TestAccount Learner { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var postgres = await PostgresServer.SharedAsync();
        ConnectionString = await postgres.CreatePooledDatabaseAsync();
        Process = await ApiProcess.StartAsync(ConnectionString);
        Instructor = await Process.RegisterAsync("instructor");
        Learner = await Process.RegisterAsync();
    }

    public async Task DisposeAsync() => await Process.DisposeAsync();

    public HttpClient Anonymous() => Process.CreateHttpClient();

    /// <summary>Every table's row count and content checksum, to compare before and after an attack.</summary>
    public Task<IReadOnlyDictionary<string, TableContent>> TableContentsAsync() => Rows.ChecksumsAsync(ConnectionString);

    /// <summary>The audit's counters as /metrics shows them now; <paramref name="reason"/> picks the events of one reason.</summary>
    public async Task<AuditCounters> CountersAsync(string? reason = null)
    {
        using var client = Anonymous();
        var metrics = await PrometheusText.ScrapeAsync(client);
        return new AuditCounters(
            metrics.ValueOrZero(HttpMeasures.SecurityEventsTotal),
            reason is null ? 0 : metrics.ValueOrZero(HttpMeasures.SecurityEventsTotal, ("reason", reason)),
            metrics.ValueOrZero(HttpMeasures.ServerErrorsTotal));
    }

    /// <summary>
    /// The counters once the audit has caught up with every request answered so far. A count read right after a
    /// response may trail it, and "nothing was counted" cannot be waited for: so one more request follows, an
    /// anonymous call to a protected route that raises exactly one event, and the counters are read once at least
    /// <paramref name="expectedEvents"/> events more than <paramref name="before"/> plus that one show, within a bound.
    /// </summary>
    public async Task<AuditCounters> CountersAfterAsync(AuditCounters before, int expectedEvents, string? reason = null)
    {
        using (var client = Anonymous())
        using (var catchUp = await client.GetAsync("/api/v1/auth/me"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, catchUp.StatusCode);
        }
        return await Wait.ForAsync(() => CountersAsync(reason), now => now.SecurityEvents >= before.SecurityEvents + expectedEvents + 1,
            AuditBound, now => $"{expectedEvents} security event(s) and the catch-up request's on /metrics (before {before}, now {now})");
    }

    /// <summary>
    /// Runs <paramref name="attack"/> and asserts what every hostile request must end in: a 4xx problem body with
    /// <paramref name="status"/>, no 5xx anywhere, no table's content changed, and one security event of reason
    /// <paramref name="securityEvent"/>, or none when it is null.
    /// </summary>
    public async Task<HttpResponseMessage> AssertRejectedAsync(Func<Task<HttpResponseMessage>> attack, HttpStatusCode status, string? securityEvent)
    {
        var tables = await TableContentsAsync();
        var before = await CountersAsync(securityEvent);

        var response = await attack();

        await response.AssertProblemAsync(status);
        Assert.Equal(tables, await TableContentsAsync());
        var expected = securityEvent is null ? 0 : 1;
        var after = await CountersAfterAsync(before, expected, securityEvent);
        Assert.Equal(before.ServerErrors, after.ServerErrors);
        Assert.Equal(before.SecurityEvents + expected + 1, after.SecurityEvents);
        if (securityEvent is not null)
        {
            Assert.Equal(before.ReasonEvents + 1 + (securityEvent == CatchUpReason ? 1 : 0), after.ReasonEvents);
        }
        return response;
    }
}

/// <summary>What the request audit has counted: all security events, those of one reason, and 5xx answers.</summary>
public sealed record AuditCounters(double SecurityEvents, double ReasonEvents, double ServerErrors);
