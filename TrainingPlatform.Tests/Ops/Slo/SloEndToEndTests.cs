using System.Globalization;

namespace TrainingPlatform.Tests.Ops.Slo;

/// <summary>
/// The real API scraped and probed by a real Prometheus and blackbox exporter running the committed
/// ops/prometheus files (with 1 s clocks and short <c>for</c>s): the SLO rules measure what users get,
/// the dashboards show it, and a database outage pages.
/// </summary>
[LongRunning(20)]
public partial class SloEndToEndTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(45);
    private static readonly string[] Windows = ["5m", "30m", "1h", "2h", "6h", "1d", "3d", "30d"];

    [Fact]
    public async Task Prometheus_measures_the_api_s_slos_and_pages_when_its_database_goes_down()
    {
        await using var postgres = await PostgresServer.StartNewAsync();
        await using var api = await ApiServer.StartAsync(
            new Dictionary<string, string?> { ["Metrics:Enabled"] = "true" }, postgres: postgres);
        using var client = api.CreateHttpClient();
        client.Timeout = TimeSpan.FromSeconds(20);
        using (var metrics = await client.GetAsync("/metrics"))
        {
            Assert.True(metrics.StatusCode == HttpStatusCode.OK, $"The API does not serve /metrics with Metrics:Enabled=true: {metrics.StatusCode}");
        }

        await using var blackbox = await BlackboxExporter.StartAsync();
        var port = FreePort.Next();
        using var config = PrometheusConfigCopy.Render(
            [new ScrapeTarget("api", api.BaseAddress.Authority)],
            [(blackbox.BaseAddress.Authority, new ProbeTarget("api", new Uri(api.BaseAddress, "/healthz").ToString()))],
            port,
            new PrometheusClock(Interval: "1s", AlertFor: "3s"));
        await using var prometheus = await PrometheusServer.StartAsync(config, port);

        // Healthy: the target is up, the probe passes, and nothing burns.
        await using (var healthy = ApiTraffic.Start(client, "/healthz", "/healthz", "/no-such-page"))
        {
            await prometheus.WaitForAsync("""up{job="services", service="api"} == 1""", s => s.Length == 1, Patience, "the API target up");
            await prometheus.WaitForAsync("""probe_success{job="blackbox", service="api"} == 1""", s => s.Length == 1, Patience, "the health probe passing");
            var availability = await prometheus.WaitForAsync("""slo:sli_error:ratio_rate5m{slo="availability", service="api"}""",
                s => s.Length == 1, Patience, "the availability SLI recorded");
            Assert.Equal(0, Value(availability[0]));
            Assert.Contains(HttpStatusCode.NotFound, healthy.Statuses.Keys);
        }

        // Slow: the database freezes for 1.5 s, so health checks wait on it.
        await SlowRequestsAsync(postgres, client);
        await prometheus.WaitForAsync("""slo:sli_error:ratio_rate5m{slo="latency", service="api"} > 0""", s => s.Length == 1, Patience,
            "the frozen requests counted as slower than 0.5 s");

        // Down: the database stops and the API answers 503; availability burns fast enough to page.
        await postgres.StopAsync();
        await using var failing = ApiTraffic.Start(client, "/healthz", "/no-such-page");
        var page = await prometheus.WaitForAsync(
            """ALERTS{alertname="AvailabilityErrorBudgetBurnFast", service="api", slo="availability", severity="critical", alertstate="firing"}""",
            s => s.Length == 1, Patience, "the availability page firing");
        Assert.Single(page);
        Assert.Contains(HttpStatusCode.ServiceUnavailable, failing.Statuses.Keys);
        await prometheus.WaitForAsync("""probe_success{job="blackbox", service="api"} == 0""", s => s.Length == 1, Patience, "the health probe failing");

        foreach (var slo in new[] { "availability", "latency" })
        {
            foreach (var window in Windows)
            {
                var ratio = await prometheus.QueryAsync($$"""slo:sli_error:ratio_rate{{window}}{slo="{{slo}}", service="api"}""");
                var series = Assert.Single(ratio.Series);
                Assert.InRange(Value(series), 0.0, 1.0);
            }
        }
        var budget = Assert.Single((await prometheus.QueryAsync("""slo:error_budget_remaining:ratio30d{slo="availability", service="api"}""")).Series);
        Assert.True(Value(budget) < 0, $"a 503 storm should have overspent the 1 % budget, remaining {Value(budget)}");

        var empty = new List<string>();
        foreach (var (file, dashboard) in GrafanaDashboards.All().Where(d => d.File is "slo-overview.json" or "http-by-route.json"))
        {
            // The traffic here reaches no journey's routes: their panels are checked on backfilled history (SloConsolePageTests).
            foreach (var query in GrafanaDashboards.Queries(file, dashboard).Where(q => !JourneySelector().IsMatch(q.Expression)))
            {
                var answer = await prometheus.QueryAsync(query.Rendered);
                if (!answer.IsSuccess || answer.Series.Length == 0)
                {
                    empty.Add($"{query} → {answer.Body}");
                }
            }
        }
        Assert.True(empty.Count == 0, "Panels without data:\n" + string.Join("\n", empty));
    }

    /// <summary>
    /// Freezes the server, the postmaster and every server process (SIGSTOP), while health checks ask it, then thaws
    /// it: the requests wait, then succeed, each well over 0.5 s.
    /// </summary>
    private static async Task SlowRequestsAsync(PostgresServer postgres, HttpClient client)
    {
        var postmaster = File.ReadLines(Path.Combine(postgres.DataDirectory, "postmaster.pid")).First().Trim();
        // The server processes too: the API's pooled connections are open already, and with the postmaster alone
        // frozen they answered at once (only new connections waited).
        await Signal("-STOP", postmaster);
        await SignalChildren("-STOP", postmaster);
        Task<HttpResponseMessage>[] requests;
        try
        {
            requests = Enumerable.Range(0, 20).Select(_ => client.GetAsync("/healthz")).ToArray();
            await Task.Delay(TimeSpan.FromSeconds(1.5));
        }
        finally
        {
            await SignalChildren("-CONT", postmaster);
            await Signal("-CONT", postmaster);
        }
        foreach (var response in await Task.WhenAll(requests))
        {
            response.Dispose();
        }
    }

    private static async Task Signal(string signal, string pid)
    {
        var result = await Command.RunAsync("kill", [signal, pid]);
        Assert.True(result.ExitCode == 0, result.ToString());
    }

    private static async Task SignalChildren(string signal, string parent)
    {
        var result = await Command.RunAsync("pkill", [signal, "-P", parent]);
        Assert.True(result.ExitCode == 0, result.ToString());
    }

    private static double Value(JsonElement series) =>
        double.Parse(series.GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"slo=""(?!availability""|latency"")")]
    private static partial Regex JourneySelector();
}
