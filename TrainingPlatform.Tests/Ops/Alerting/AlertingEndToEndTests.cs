using TrainingPlatform.Tests.Ops.Slo;

namespace TrainingPlatform.Tests.Ops.Alerting;

/// <summary>
/// The whole alerting path with real binaries and the committed configuration: Prometheus evaluates the repository's
/// rules on backfilled SLO history and sends to Alertmanager, whose routes deliver to webhooks started here.
/// </summary>
[LongRunning(25)]
public class AlertingEndToEndTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan Repeat = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task Alerts_reach_page_ticket_and_watchdog_by_severity_and_a_silence_stops_the_page()
    {
        await using var inbox = WebhookInbox.Start();
        await using var alertmanager = await AlertmanagerServer.StartAsync(inbox, Repeat);

        // Two days at 2 % errors (the slow burn, a warning about the availability SLO), then half the requests
        // failing for 20 minutes (the fast burn, a page about the same SLO). A service target nobody listens on
        // makes TargetDown, a warning about no SLO.
        var port = FreePort.Next();
        using var config = PrometheusConfigCopy.Render(
            [new ScrapeTarget("api", $"127.0.0.1:{FreePort.Next()}")], [], port,
            new PrometheusClock(Interval: "1s", AlertFor: "3s"),
            alertmanagers: [alertmanager.BaseAddress.Authority]);
        await SloHistory.BackfillAsync(Path.Combine(config.Directory, "data"), "api", TimeSpan.FromDays(2),
            (slo, ago) => slo != "availability" ? 0.001 : ago < TimeSpan.FromMinutes(20) ? 0.5 : 0.02);
        await using var prometheus = await PrometheusServer.StartAsync(config, port);
        string Logs() => $"Prometheus log:\n{prometheus.Log}\nAlertmanager log:\n{alertmanager.Log}";

        var page = await inbox.WaitForAsync(AlertRouting.Page, "AvailabilityErrorBudgetBurnFast", Patience, Logs);
        Assert.Equal("critical", page.Labels["severity"]);
        Assert.Equal("api", page.Labels["service"]);
        Assert.Equal("availability", page.Labels["slo"]);
        Assert.Equal("api is burning the error budget of SLO availability fast", page.Annotations["summary"]);
        Assert.Equal(AlertDefinitions.Rules().Single(r => r.Name == "AvailabilityErrorBudgetBurnFast").Annotations["runbook_url"],
            page.Annotations["runbook_url"]);

        var ticket = await inbox.WaitForAsync(AlertRouting.Ticket, "TargetDown", Patience, Logs);
        Assert.Equal("warning", ticket.Labels["severity"]);
        Assert.Equal("services", ticket.Labels["job"]);
        Assert.StartsWith("Prometheus cannot scrape services target", ticket.Annotations["summary"]);
        Assert.EndsWith("/ops/docs/runbooks.md#targetdown", ticket.Annotations["runbook_url"]);

        var watchdog = await inbox.WaitForAsync(AlertRouting.Watchdog, "Watchdog", Patience, Logs);
        Assert.EndsWith("/ops/docs/runbooks.md#watchdog", watchdog.Annotations["runbook_url"]);
        Assert.DoesNotContain(inbox.Received(AlertRouting.Page).Concat(inbox.Received(AlertRouting.Ticket)), n => n.AlertName == "Watchdog");

        // The slow burn of the same SLO fires too; while the page fires, it is inhibited.
        await prometheus.WaitForAsync("""ALERTS{alertname="AvailabilityErrorBudgetBurnSlow", alertstate="firing", service="api"}""",
            s => s.Length == 1, Patience, "the slow availability burn firing");
        var slow = await WaitForStateAsync(alertmanager, "AvailabilityErrorBudgetBurnSlow", "suppressed");
        Assert.NotEmpty(slow.GetProperty("status").GetProperty("inhibitedBy").EnumerateArray());

        // The page repeats while it fires, until a silence created with amtool stops it.
        await WaitForCountAsync(() => inbox.Received(AlertRouting.Page).Count(IsFastBurn), 2, Logs);
        var silence = await Command.RunAsync(LocalProgram.Amtool.Path,
            ["silence", "add", "--alertmanager.url=" + alertmanager.Url, "--duration=1h", "--author=end-to-end test",
             "--comment=mitigating", "alertname=AvailabilityErrorBudgetBurnFast", "service=api"]);
        Assert.True(silence.ExitCode == 0, silence.ToString());
        var silenceId = silence.Stdout.Trim();
        var silenced = await WaitForStateAsync(alertmanager, "AvailabilityErrorBudgetBurnFast", "suppressed");
        Assert.Contains(silenceId, silenced.GetProperty("status").GetProperty("silencedBy").EnumerateArray().Select(id => id.GetString()));

        // A notification already being flushed when the silence arrived may still land: count once a whole later
        // notification (the next watchdog) has been delivered.
        var watchdogsAtSilence = inbox.Received(AlertRouting.Watchdog).Count;
        await WaitForCountAsync(() => inbox.Received(AlertRouting.Watchdog).Count, watchdogsAtSilence + 1, Logs);
        var pagesAtSilence = inbox.Received(AlertRouting.Page).Count(IsFastBurn);
        // A slow-burn ticket may have gone out before the page fired; none may follow while the page inhibits it.
        var slowTickets = inbox.Received(AlertRouting.Ticket).Count(n => n.AlertName == "AvailabilityErrorBudgetBurnSlow");
        // Several repeat intervals: an unsilenced page or an uninhibited ticket would have been sent again by now.
        await Task.Delay(Repeat * 4);
        Assert.Equal(pagesAtSilence, inbox.Received(AlertRouting.Page).Count(IsFastBurn));
        Assert.Equal(slowTickets, inbox.Received(AlertRouting.Ticket).Count(n => n.AlertName == "AvailabilityErrorBudgetBurnSlow"));
        // Meanwhile the other receivers keep working: the silence is precise.
        var watchdogs = inbox.Received(AlertRouting.Watchdog).Count;
        await WaitForCountAsync(() => inbox.Received(AlertRouting.Watchdog).Count, watchdogs + 1, Logs);
    }

    private static bool IsFastBurn(Notified notified) =>
        notified.AlertName == "AvailabilityErrorBudgetBurnFast" && notified.Status == "firing";

    private static async Task<System.Text.Json.JsonElement> WaitForStateAsync(AlertmanagerServer alertmanager, string alertName, string state)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (DateTime.UtcNow < deadline)
        {
            var alerts = await alertmanager.AlertsAsync(alertName);
            if (alerts.FirstOrDefault(a => a.GetProperty("status").GetProperty("state").GetString() == state) is { ValueKind: not System.Text.Json.JsonValueKind.Undefined } found)
            {
                return found;
            }
            await Task.Delay(200);
        }
        throw new TimeoutException($"Alertmanager never held {alertName} as {state}: {string.Join(", ", await alertmanager.AlertsAsync(alertName))}\n{alertmanager.Log}");
    }

    private static async Task WaitForCountAsync(Func<int> count, int atLeast, Func<string> context)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (count() < atLeast)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Expected at least {atLeast} notifications, got {count()}.\n{context()}");
            }
            await Task.Delay(200);
        }
    }
}
