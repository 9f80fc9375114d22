using System.Diagnostics.Metrics;
namespace TrainingPlatform.Tests.ServiceDefaults;

public sealed class ServiceMetricsTests() : ServiceHostTest(MetricsOn)
{
    [Fact]
    public async Task Requests_are_counted_by_method_route_template_and_status_with_the_SLO_bucket()
    {
        await Client.GetAsync("/items/1");
        await Client.GetAsync("/items/2");
        await Client.GetAsync("/no/such/path");

        var metrics = await ScrapeWhenAsync(m => m.ValueOrZero(HttpMeasures.RequestsTotal, ("path_template", HttpMeasures.Unmatched)) >= 1
            && m.ValueOrZero(HttpMeasures.RequestsTotal, ("path_template", "/items/{id}")) >= 2);

        Assert.Equal(2, metrics.Value(HttpMeasures.RequestsTotal, ("method", "GET"), ("path_template", "/items/{id}"), ("status_code", "200")));
        Assert.Equal(1, metrics.Value(HttpMeasures.RequestsTotal, ("method", "GET"), ("path_template", HttpMeasures.Unmatched), ("status_code", "404")));
        Assert.Equal(2, metrics.Value(HttpMeasures.RequestDuration + "_count", ("method", "GET"), ("path_template", "/items/{id}"), ("status_code", "200")));
        var buckets = metrics.Named(HttpMeasures.RequestDuration + "_bucket")
            .Where(sample => sample.Labels["path_template"] == "/items/{id}")
            .Select(sample => sample.Labels["le"]).ToList();
        Assert.Equal(["0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "+Inf"], buckets);
        Assert.Contains("# TYPE http_request_duration_seconds histogram", metrics.Text, StringComparison.Ordinal);
        Assert.Contains("# TYPE http_requests_total counter", metrics.Text, StringComparison.Ordinal);
        Assert.Contains("# TYPE http_server_errors_total counter", metrics.Text, StringComparison.Ordinal);
        Assert.Contains("# TYPE http_requests_in_flight gauge", metrics.Text, StringComparison.Ordinal);
        Assert.Contains("# TYPE security_events_total counter", metrics.Text, StringComparison.Ordinal);
        // The HELP lines the seed's four series have always had on /metrics.
        Assert.Contains("# HELP http_request_duration_seconds Time to serve an HTTP request, in seconds.\n", metrics.Text, StringComparison.Ordinal);
        Assert.Contains("# HELP http_requests_total HTTP requests served.\n", metrics.Text, StringComparison.Ordinal);
        Assert.Contains("# HELP http_server_errors_total HTTP requests answered with a 5xx status.\n", metrics.Text, StringComparison.Ordinal);
        Assert.Contains("# HELP http_requests_in_flight HTTP requests being served now.\n", metrics.Text, StringComparison.Ordinal);
        Assert.All(metrics.Named(HttpMeasures.RequestsTotal), sample =>
            Assert.Equal(["method", "path_template", "status_code"], sample.Labels.Keys.Order()));
        Assert.DoesNotContain(metrics.Named(HttpMeasures.ServerErrorsTotal), sample => sample.Value > 0);
    }

    [Fact]
    public async Task An_unhandled_exception_is_one_500_observation_and_a_server_error_and_the_in_flight_gauge_returns()
    {
        using var response = await Client.GetAsync("/boom");
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);

        var metrics = await ScrapeWhenAsync(m => m.ValueOrZero(HttpMeasures.ServerErrorsTotal) >= 1);

        Assert.Equal(1, metrics.Value(HttpMeasures.RequestsTotal, ("method", "GET"), ("path_template", "/boom"), ("status_code", "500")));
        Assert.Equal(1, metrics.Value(HttpMeasures.RequestDuration + "_count", ("path_template", "/boom"), ("status_code", "500")));
        Assert.Equal(1, metrics.Value(HttpMeasures.ServerErrorsTotal, ("method", "GET"), ("path_template", "/boom"), ("status_code", "500")));
        Assert.Equal(0, metrics.ValueOrZero(HttpMeasures.RequestsInFlight));
    }

    [Fact]
    public async Task An_exception_no_handler_can_answer_still_returns_the_in_flight_gauge()
    {
        // The response had begun, so the exception escapes the whole pipeline and the server aborts the connection.
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => Client.GetStringAsync("/broken-stream"));

        var metrics = await ScrapeWhenAsync(m => m.ValueOrZero(HttpMeasures.RequestsTotal, ("path_template", "/broken-stream")) >= 1);

        Assert.Equal(1, metrics.Value(HttpMeasures.RequestsTotal, ("path_template", "/broken-stream"), ("status_code", "200")));
        Assert.Equal(0, metrics.ValueOrZero(HttpMeasures.RequestsInFlight));
    }

    [Fact]
    public async Task Unknown_methods_collapse_to_OTHER()
    {
        using var request = new HttpRequestMessage(new HttpMethod("BREW"), "/ok");
        await Client.SendAsync(request);

        var metrics = await ScrapeWhenAsync(m => m.ValueOrZero(HttpMeasures.RequestsTotal, ("method", HttpMeasures.OtherMethod)) >= 1);

        Assert.DoesNotContain(metrics.Named(HttpMeasures.RequestsTotal), sample => sample.Labels["method"] == "BREW");
    }

    [Fact]
    public async Task Scrapes_are_not_counted_as_requests()
    {
        await PrometheusText.ScrapeAsync(Client);
        await PrometheusText.ScrapeAsync(Client, new Uri(Host.BaseAddress, "/metrics/"));

        var metrics = await PrometheusText.ScrapeAsync(Client);

        Assert.DoesNotContain(metrics.Named(HttpMeasures.RequestsTotal), sample => sample.Labels["path_template"].Contains("metrics", StringComparison.Ordinal));
        Assert.Equal(0, metrics.ValueOrZero(HttpMeasures.RequestsInFlight));
    }

    [Fact]
    public async Task Process_metrics_are_exposed_and_nothing_is_exported_twice()
    {
        await Client.GetAsync("/ok");

        var metrics = await ScrapeWhenAsync(m => m.ValueOrZero(HttpMeasures.RequestsTotal, ("path_template", "/ok")) >= 1);

        Assert.NotEmpty(metrics.Named("process_resident_memory_bytes"));
        Assert.NotEmpty(metrics.Named("process_cpu_seconds_total"));
        Assert.NotEmpty(metrics.Named("process_open_handles"));
        Assert.DoesNotContain(metrics.Samples, sample => sample.Name.StartsWith("microsoft_aspnetcore", StringComparison.Ordinal));
        Assert.DoesNotContain(metrics.Samples, sample => sample.Name.StartsWith("prometheus_net_meteradapter", StringComparison.Ordinal));
        var families = metrics.Text.Split('\n').Where(line => line.StartsWith("# TYPE ", StringComparison.Ordinal)).ToList();
        Assert.Equal(families.Count, families.Distinct().Count());
    }

    [Fact]
    public async Task Ten_thousand_distinct_ids_and_junk_paths_add_no_series()
    {
        await Client.GetAsync("/items/warm");
        await Client.GetAsync("/warm/junk");
        var before = await ScrapeWhenAsync(m => m.ValueOrZero(HttpMeasures.RequestsTotal) >= 2);
        var seriesBefore = SeriesOf(before);

        const int requests = 10_000;
        var next = 0;
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 8 };
        using var client = new HttpClient(handler) { BaseAddress = Host.BaseAddress };
        await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) <= requests)
            {
                using var response = await client.GetAsync(i % 2 == 0 ? $"/items/{Guid.NewGuid():N}" : $"/junk/{i}/{Guid.NewGuid():N}?q={i}");
            }
        }));

        var after = await ScrapeWhenAsync(m => m.ValueOrZero(HttpMeasures.RequestsTotal) >= requests + 2);
        Assert.Equal(seriesBefore, SeriesOf(after));
        Assert.Equal(requests / 2 + 1, after.Value(HttpMeasures.RequestsTotal, ("path_template", "/items/{id}")));
        Assert.Equal(requests / 2 + 1, after.Value(HttpMeasures.RequestsTotal, ("path_template", HttpMeasures.Unmatched)));
        Assert.Equal(["/items/{id}", HttpMeasures.Unmatched], after.Named(HttpMeasures.RequestsTotal).Select(s => s.Labels["path_template"]).Order());
    }

    [Fact]
    public async Task A_features_meter_is_on_metrics_under_prometheus_names_counters_from_zero_and_gauges_read_at_each_scrape()
    {
        var busy = 3;
        var meter = Host.App.Services.GetRequiredService<IMeterFactory>().Create("TrainingPlatform.Probe");
        var errors = meter.CreateCounter<long>("probe_store.errors", description: "Probe store failures.");
        errors.Add(0, new KeyValuePair<string, object?>("operation", "get"));
        var last = meter.CreateGauge<double>("probe.last_success_timestamp", "s", "When the probe last succeeded.");
        meter.CreateObservableGauge("probe.max_connections", () => 50, description: "Most connections the probe opens.");
        meter.CreateObservableGauge("probe.connections", () => new[]
        {
            new Measurement<int>(busy, new KeyValuePair<string, object?>("state", "busy")),
            new Measurement<int>(7, new KeyValuePair<string, object?>("state", "idle")),
        }, description: "Probe connections by state.");
        // Another host's meter of the same name never shows here.
        using var elsewhere = new ServiceCollection().AddMetrics().BuildServiceProvider();
        elsewhere.GetRequiredService<IMeterFactory>().Create("TrainingPlatform.Probe").CreateCounter<long>("probe.foreign").Add(1);

        var first = await PrometheusText.ScrapeAsync(Client);
        busy = 4;
        errors.Add(2, new KeyValuePair<string, object?>("operation", "get"));
        last.Record(1_700_000_000);
        var second = await PrometheusText.ScrapeAsync(Client);

        Assert.Equal(0, first.Value("probe_store_errors_total", ("operation", "get")));
        Assert.Empty(first.Named("probe_last_success_timestamp_seconds"));
        Assert.Empty(first.Named("probe_foreign_total"));
        Assert.Equal(50, first.Value("probe_max_connections"));
        Assert.Equal(3, first.Value("probe_connections", ("state", "busy")));
        Assert.Equal(7, first.Value("probe_connections", ("state", "idle")));
        Assert.Equal(2, second.Value("probe_store_errors_total", ("operation", "get")));
        Assert.Equal(1_700_000_000, second.Value("probe_last_success_timestamp_seconds"));
        Assert.Equal(4, second.Value("probe_connections", ("state", "busy")));
        Assert.Contains("# HELP probe_store_errors_total Probe store failures.", second.Text, StringComparison.Ordinal);
        Assert.Contains("# TYPE probe_store_errors_total counter", second.Text, StringComparison.Ordinal);
    }

    private static string[] SeriesOf(PrometheusText metrics) =>
        metrics.Samples.Where(sample => sample.Name.StartsWith("http_", StringComparison.Ordinal))
            .Select(sample => sample.Name + string.Join(',', sample.Labels.OrderBy(l => l.Key).Select(l => $"{l.Key}={l.Value}")))
            .Order().ToArray();

    /// <summary>The audit records a request just after its response is sent; scrape until it has.</summary>
    private async Task<PrometheusText> ScrapeWhenAsync(Func<PrometheusText, bool> ready)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (true)
        {
            var metrics = await PrometheusText.ScrapeAsync(Client);
            if (ready(metrics))
            {
                return metrics;
            }
            if (timeout.IsCancellationRequested)
            {
                Assert.Fail("The expected observations never appeared:\n" + metrics.Text);
            }
            await Task.Delay(20);
        }
    }
}
