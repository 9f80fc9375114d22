using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using TrainingPlatform.Tests.ScaleOut;

namespace TrainingPlatform.Tests.Stack;

/// <summary>
/// The wiring between the stack's resources, on the scale-out stack (three replicas) of <see cref="ScaleOutTests"/>,
/// one class after the other in its collection: a one-replica stack of its own cost the suite another AppHost start
/// (about 28 CPU-s), and none of these tests depends on the number of replicas. <see cref="StackRestartTests"/> and
/// <see cref="DashboardTests"/> start the one-replica stack <c>./run.sh</c> runs by default.
/// </summary>
[Collection(ScaleOutCollection.Name)]
public class StackTests(ScaleOutFixture stack)
{
    [Fact]
    public async Task The_api_is_healthy_and_reaches_its_database()
    {
        using var client = stack.App.CreateHttpClient("api", "http");

        var response = await client.GetAsync("/healthz", StackFixture.Timeout(30));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("Healthy", body.RootElement.GetProperty("status").GetString());
        var checks = body.RootElement.GetProperty("checks");
        Assert.Contains(checks.EnumerateObject(), c => c.Name.Contains("postgres", StringComparison.OrdinalIgnoreCase) && c.Value.GetString() == "Healthy");
    }

    [Fact]
    public async Task The_prometheus_resource_links_its_slo_page_which_shows_every_slo()
    {
        // Locally there is no Grafana: the dashboard's link on prometheus opens the console page generated from the spec.
        var running = await stack.App.ResourceNotifications.WaitForResourceAsync("prometheus",
            e => e.Snapshot.Urls.Any(u => u.DisplayProperties.DisplayName.Contains("SLO", StringComparison.Ordinal)), StackFixture.Timeout(60));
        var link = running.Snapshot.Urls.Single(u => u.DisplayProperties.DisplayName.Contains("SLO", StringComparison.Ordinal));
        Assert.EndsWith(PrometheusConsoles.SloPage, link.Url);

        using var client = new HttpClient();
        using var response = await client.GetAsync(link.Url, StackFixture.Timeout(10));
        var page = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{link.Url} answered {(int)response.StatusCode}: {page}");
        foreach (var slo in Ops.Slo.OpsFiles.SloSpec.Objectives)
        {
            Assert.Contains($"id=\"budget-{slo.Name}\"", page);
        }
    }

    [Fact]
    public async Task Prometheus_scrapes_the_api_and_probes_its_health()
    {
        using var prometheus = stack.App.CreateHttpClient("prometheus", "http");
        // The probe through the ingress, and each replica scraped as a target of its own.
        string[] expected = ["blackbox=up", .. Enumerable.Repeat("services=up", stack.Replicas)];
        var deadline = DateTime.UtcNow.AddSeconds(90);
        string[] health = [];
        while (DateTime.UtcNow < deadline)
        {
            using var targets = JsonDocument.Parse(await prometheus.GetStringAsync("/api/v1/targets", StackFixture.Timeout(10)));
            health = targets.RootElement.GetProperty("data").GetProperty("activeTargets").EnumerateArray()
                .Where(t => t.GetProperty("labels").TryGetProperty("service", out var s) && s.GetString() == "api")
                .Select(t => $"{t.GetProperty("labels").GetProperty("job").GetString()}={t.GetProperty("health").GetString()}")
                .Order()
                .ToArray();
            if (health.SequenceEqual(expected))
            {
                break;
            }
            await Task.Delay(1000);
        }

        Assert.Equal(expected, health);
    }

    [Fact]
    public async Task Prometheus_sends_its_alerts_to_the_stack_s_alertmanager_which_holds_the_watchdog()
    {
        await stack.App.ResourceNotifications.WaitForResourceHealthyAsync("alertmanager", StackFixture.Timeout(60));
        using var prometheus = stack.App.CreateHttpClient("prometheus", "http");
        using var alertmanager = stack.App.CreateHttpClient("alertmanager", "http");
        var alertmanagerPort = stack.App.GetEndpoint("alertmanager", "http").Port;
        var deadline = DateTime.UtcNow.AddSeconds(90);
        string[] active = [];
        var receivers = "";
        while (DateTime.UtcNow < deadline)
        {
            using var discovered = JsonDocument.Parse(await prometheus.GetStringAsync("/api/v1/alertmanagers", StackFixture.Timeout(10)));
            active = discovered.RootElement.GetProperty("data").GetProperty("activeAlertmanagers").EnumerateArray()
                .Select(a => a.GetProperty("url").GetString()!).ToArray();
            // The Watchdog fires at the first rule evaluation and is routed to its receiver.
            receivers = await alertmanager.GetStringAsync("/api/v2/alerts?filter=" + Uri.EscapeDataString("alertname=\"Watchdog\""), StackFixture.Timeout(10));
            if (active.Length == 1 && receivers.Contains("\"watchdog\"", StringComparison.Ordinal))
            {
                break;
            }
            await Task.Delay(1000);
        }

        Assert.Equal([$"http://127.0.0.1:{alertmanagerPort}/api/v2/alerts"], active);
        Assert.Contains("\"watchdog\"", receivers);
    }

    [Fact]
    public async Task Prometheus_scrapes_alertmanager_as_its_own_job_at_the_address_it_sends_alerts_to()
    {
        await stack.App.ResourceNotifications.WaitForResourceHealthyAsync("alertmanager", StackFixture.Timeout(60));
        using var prometheus = stack.App.CreateHttpClient("prometheus", "http");
        var expected = $"http://127.0.0.1:{stack.App.GetEndpoint("alertmanager", "http").Port}/metrics=up";

        var scraped = await Wait.ForAsync(async () =>
            {
                using var targets = JsonDocument.Parse(await prometheus.GetStringAsync("/api/v1/targets", StackFixture.Timeout(10)));
                return targets.RootElement.GetProperty("data").GetProperty("activeTargets").EnumerateArray()
                    .Where(t => t.GetProperty("labels").GetProperty("job").GetString() == "alertmanager")
                    .Select(t => $"{t.GetProperty("scrapeUrl").GetString()}={t.GetProperty("health").GetString()}")
                    .ToArray();
            },
            found => found is [var only] && only == expected, TimeSpan.FromSeconds(90), found => $"job alertmanager: [{string.Join(", ", found)}]");

        Assert.Equal([expected], scraped);
    }

    [Fact]
    public async Task Back_up_now_on_the_dashboard_runs_the_backup_service_s_job_and_returns_a_verified_dump()
    {
        var result = await stack.BackUpNowAsync();

        Assert.True(result.Success, result.Message);
        using var report = JsonDocument.Parse(result.Data!.Value);
        var dump = report.RootElement.GetProperty("location").GetString()!;
        Assert.StartsWith(Path.Combine(stack.DataDirectory, "backups"), dump);
        var recorded = (await File.ReadAllTextAsync(dump + ".sha256")).Split(' ')[0];
        await using var file = File.OpenRead(dump);
        Assert.Equal(recorded, Convert.ToHexStringLower(await System.Security.Cryptography.SHA256.HashDataAsync(file)));
    }

    [Fact]
    public async Task The_schedule_writes_a_backup_within_two_minutes_and_prometheus_then_holds_its_time()
    {
        var backups = Path.Combine(stack.DataDirectory, "backups");
        string[] Scheduled() => Directory.Exists(backups)
            ? Directory.GetFiles(backups, "training-*.dump", SearchOption.AllDirectories).Except(stack.DumpsBackedUpNow).ToArray()
            : [];

        // Every minute here, from the stack's start: the scale-out cases run first on this stack, so the schedule has
        // usually written a dump by now (waiting for a new one held a class slot for up to a minute).
        await Wait.UntilAsync(() => Task.FromResult(Scheduled().Length > 0), TimeSpan.FromMinutes(2), "a scheduled backup written");
        var written = new DateTimeOffset(Scheduled().Max(File.GetLastWriteTimeUtc)).ToUnixTimeSeconds();

        using var prometheus = stack.App.CreateHttpClient("prometheus", "http");
        double lastSuccess = 0;
        await Wait.UntilAsync(async () =>
        {
            using var answer = JsonDocument.Parse(await prometheus.GetStringAsync(
                "/api/v1/query?query=" + Uri.EscapeDataString("""backup_last_success_timestamp_seconds{job="backups", service="backups"}"""), StackFixture.Timeout(10)));
            var samples = answer.RootElement.GetProperty("data").GetProperty("result").EnumerateArray().ToList();
            lastSuccess = samples.Count == 1 ? double.Parse(samples[0].GetProperty("value")[1].GetString()!, System.Globalization.CultureInfo.InvariantCulture) : 0;
            // Recorded once the dump was written and verified.
            return lastSuccess >= written;
        }, TimeSpan.FromSeconds(60), "Prometheus holding the scheduled backup's time");

        Assert.True(lastSuccess >= stack.StartedAt.ToUnixTimeSeconds(), $"last success {lastSuccess} is older than the stack's start");
    }

    [Fact]
    public async Task The_server_archives_its_wal_and_a_new_stack_gets_a_full_backup_it_can_recover_from()
    {
        // The backups service creates the stanza and, the repository being empty, takes a full backup at start.
        var environment = new Dictionary<string, string> { ["PGBACKREST_CONFIG"] = Path.Combine(stack.DataDirectory, "pgbackrest", "pgbackrest.conf") };
        CommandResult list = null!;
        await Wait.UntilAsync(async () =>
        {
            list = await Command.RunScriptAsync("restore.sh", ["pitr", "--list"], environment);
            return list.ExitCode == 0;
        }, TimeSpan.FromMinutes(2), "a full backup in the stack's pgBackRest repository");
        Assert.Matches(@"\d{8}-\d{6}F\s+full", list.Stdout);
        Assert.Contains("recoverable: from", list.Stdout);

        using var prometheus = stack.App.CreateHttpClient("prometheus", "http");
        await Wait.UntilAsync(async () =>
        {
            using var answer = JsonDocument.Parse(await prometheus.GetStringAsync(
                "/api/v1/query?query=" + Uri.EscapeDataString("""pitr_last_full_backup_timestamp_seconds{job="backups"}"""), StackFixture.Timeout(10)));
            return answer.RootElement.GetProperty("data").GetProperty("result").GetArrayLength() == 1;
        }, TimeSpan.FromSeconds(60), "Prometheus holding the full backup's time");

        // postgres_exporter: the archiver has pushed WAL (the full backup's own segments at least) and none failed.
        await Wait.UntilAsync(async () =>
        {
            using var answer = JsonDocument.Parse(await prometheus.GetStringAsync(
                "/api/v1/query?query=" + Uri.EscapeDataString("""pg_stat_archiver_archived_count{job="postgres"} > 0 and pg_stat_archiver_failed_count == 0"""), StackFixture.Timeout(10)));
            return answer.RootElement.GetProperty("data").GetProperty("result").GetArrayLength() == 1;
        }, TimeSpan.FromSeconds(60), "Prometheus seeing WAL archived through postgres_exporter");

        // "Restore drill" on the dashboard: the latest point restored into a scratch server, the database read there,
        // an API on the copy passing the synthetic check.
        var drill = await stack.App.Services.GetRequiredService<ResourceCommandService>().ExecuteCommandAsync("postgres", "restore-drill", StackFixture.Timeout(180));
        Assert.True(drill.Success, drill.Message);
        Assert.Matches(@"^Restored the latest point in [\d.]+ s: schema version (\d+|none), \d+ rows in \d+ tables of training; " +
            @"an API on the copy passed the synthetic check \([\d.]+ s in all\)\.$", drill.Message);
    }

    [Fact]
    public async Task Run_synthetic_check_on_the_dashboard_passes_on_the_running_api()
    {
        var commands = stack.App.Services.GetRequiredService<ResourceCommandService>();

        var result = await commands.ExecuteCommandAsync("api", "synthetic-check", StackFixture.Timeout(120));

        Assert.True(result.Success, result.Message);
    }

    [Fact]
    public async Task A_password_reset_on_the_stack_lands_in_the_mail_catcher_with_a_link_to_the_public_api_address()
    {
        // Through the ingress, the address people use and the one the email links to.
        using var api = stack.App.CreateHttpClient("ingress", "http");
        using var mail = stack.App.CreateHttpClient("mail", "http");
        var email = $"stack-{Guid.NewGuid():N}@example.test";
        await TestAccounts.RegisterAsync(api, email, cancellation: StackFixture.Timeout(30));

        Assert.Equal(HttpStatusCode.Accepted, (await api.PostAsJsonAsync("/api/v1/password/reset", new { email }, StackFixture.Timeout(30))).StatusCode);

        var deadline = DateTime.UtcNow.AddSeconds(60);
        JsonElement? message = null;
        while (message is null && DateTime.UtcNow < deadline)
        {
            using var list = JsonDocument.Parse(await mail.GetStringAsync("/api/messages", StackFixture.Timeout(10)));
            message = list.RootElement.GetProperty("results").EnumerateArray()
                .Where(m => m.GetProperty("to").EnumerateArray().Any(to => to.GetString() == email))
                .Select(m => (JsonElement?)m.Clone()).FirstOrDefault();
            await Task.Delay(message is null ? 500 : 0);
        }
        Assert.NotNull(message);
        var text = await mail.GetStringAsync($"/api/messages/{message.Value.GetProperty("id").GetString()}/plaintext", StackFixture.Timeout(10));
        Assert.Contains($"{api.BaseAddress!.ToString().TrimEnd('/')}/scalar/?token=", text);
    }

    [Fact]
    public async Task A_traced_request_through_the_ingress_leaves_its_trace_id_as_an_exemplar_in_the_stack_s_prometheus()
    {
        // A trace the caller started (W3C traceparent, sampled): the replica records the request under it, so the
        // exemplar Prometheus stores for its latency bucket must carry exactly this trace id.
        var traceId = ActivityTraceId.CreateRandom().ToHexString();
        using var api = stack.App.CreateHttpClient("ingress", "http");
        using var prometheus = stack.App.CreateHttpClient("prometheus", "http");
        var start = DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeSeconds();

        var found = await Wait.ForAsync(async () =>
        {
            // Each bucket keeps one exemplar per interval, so the request is sent again until one is scraped.
            using var request = Exemplars.TracedGet("/api/v1/courses/999999999", traceId);
            using var response = await api.SendAsync(request, StackFixture.Timeout(10));
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            using var answer = JsonDocument.Parse(await prometheus.GetStringAsync(
                Exemplars.QueryPath("/api/v1/courses/{id}", start), StackFixture.Timeout(10)));
            return Exemplars.TraceIds(answer.RootElement.GetProperty("data"));
        }, ids => ids.Contains(traceId), TimeSpan.FromSeconds(60), ids => $"an exemplar with trace id {traceId}; found [{string.Join(", ", ids)}]");

        Assert.Contains(traceId, found);
    }
}
