using TrainingPlatform.Tests.Ops.Alerting;
using TrainingPlatform.Tests.Ops.Slo;

namespace TrainingPlatform.Tests.Release;

/// <summary>
/// ops/scripts/release-gate.sh against a real Prometheus running the repository's rules on backfilled SLO history:
/// it lets a release out only with no page firing and budget left on every SLO of ops/slo/slos.yaml, names each SLO's
/// step of the error budget policy, and lets a fix through a spent budget with --fix.
/// </summary>
[LongRunning(105)]
public class ReleaseGateTests
{
    /// <summary>The line the release checklist runs, exactly.</summary>
    public const string ChecklistCommand = """ops/scripts/release-gate.sh --prometheus "$PROMETHEUS_URL" """;

    private static readonly TimeSpan History = TimeSpan.FromDays(2);
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(45);

    [Fact]
    public async Task A_healthy_history_lets_the_release_out()
    {
        // Every SLO burning a fifth of its budget's rate: 80 % of each budget left.
        await using var prometheus = await StartAsync((slo, _) => 0.2 * Budget(slo));
        await WaitForBudgetsAsync(prometheus.Server);

        var result = await Command.RunAsync("bash", ["-c", ChecklistCommand.Trim()],
            new Dictionary<string, string> { ["PROMETHEUS_URL"] = prometheus.Url });

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("ALLOW alerts: no page alert firing for api", result.Stdout);
        foreach (var slo in OpsFiles.SloSpec.Objectives)
        {
            Assert.Contains($"ALLOW budget: SLO {slo.Name} of api has 80 % of its 30d error budget left\n", result.Stdout);
        }
        Assert.Contains("release of api allowed", result.Stdout);
        Assert.Contains(ChecklistCommand.Trim(), File.ReadAllText(RepositoryRoot.Ops("docs", "release-checklist.md")));
    }

    [Fact]
    public async Task An_exhausted_budget_refuses_the_release()
    {
        // 1.5 % errors for two days against a 1 % budget over 30 days: spent, and no page fires. The rest healthy.
        await using var prometheus = await StartAsync((slo, _) => slo == "availability" ? 0.015 : 0.2 * Budget(slo));
        await WaitForBudgetsAsync(prometheus.Server);

        var result = await GateAsync(prometheus, "--json");

        Assert.Equal(1, result.ExitCode);
        using var report = JsonDocument.Parse(result.Stdout);
        var root = report.RootElement;
        Assert.False(root.GetProperty("allowed").GetBoolean());
        Assert.False(root.GetProperty("fix").GetBoolean());
        Assert.Equal("api", root.GetProperty("service").GetString());
        var reason = Assert.Single(root.GetProperty("reasons").EnumerateArray()).GetString();
        Assert.Equal("budget: SLO availability of api has spent its 30d error budget (-50 % left, step frozen): only fixes and rollbacks release (--fix)", reason);
        var slos = root.GetProperty("slos").EnumerateArray().ToDictionary(s => s.GetProperty("slo").GetString()!);
        Assert.Equal(OpsFiles.SloSpec.Objectives.Select(o => o.Name).Order(), slos.Keys.Order());
        Assert.InRange(slos["availability"].GetProperty("budget_remaining").GetDouble(), -0.51, -0.49);
        Assert.Equal("frozen", slos["availability"].GetProperty("step").GetString());
        Assert.InRange(slos["latency"].GetProperty("budget_remaining").GetDouble(), 0.79, 0.81);
        Assert.Equal("normal", slos["latency"].GetProperty("step").GetString());
        Assert.Empty(root.GetProperty("page_alerts").EnumerateArray());
    }

    [Fact]
    public async Task A_spent_journey_budget_refuses_a_feature_release_and_lets_a_fix_through()
    {
        // Sign-in failing 0.75 % of the time against its 0.5 % budget: that journey's budget is spent while the whole
        // API's (1 %) is not. A feature release waits; a fix goes out and says so.
        await using var prometheus = await StartAsync((slo, _) => slo == "sign-in-availability" ? 0.0075 : 0.2 * Budget(slo));
        await WaitForBudgetsAsync(prometheus.Server);

        var feature = await GateAsync(prometheus);
        var fix = await GateAsync(prometheus, "--fix");
        var fixJson = await GateAsync(prometheus, "--fix", "--json");

        Assert.Equal(1, feature.ExitCode);
        var refusal = Assert.Single(feature.Stdout.Split('\n'), line => line.StartsWith("REFUSE", StringComparison.Ordinal));
        Assert.Equal("REFUSE budget: SLO sign-in-availability of api has spent its 30d error budget (-50 % left, step frozen): only fixes and rollbacks release (--fix)", refusal);
        Assert.Contains("release of api refused: 1 reason(s)", feature.Stdout);

        Assert.True(fix.ExitCode == 0, fix.ToString());
        Assert.Contains("ALLOW budget: SLO sign-in-availability of api has spent its 30d error budget (-50 % left, step frozen): allowed as a fix by --fix", fix.Stdout);
        Assert.Contains("release of api allowed as a fix (--fix) while the error budget of sign-in-availability is spent", fix.Stdout);
        Assert.DoesNotContain("REFUSE", fix.Stdout);

        Assert.True(fixJson.ExitCode == 0, fixJson.ToString());
        using var report = JsonDocument.Parse(fixJson.Stdout);
        Assert.True(report.RootElement.GetProperty("allowed").GetBoolean());
        Assert.True(report.RootElement.GetProperty("fix").GetBoolean());
        var signIn = Assert.Single(report.RootElement.GetProperty("slos").EnumerateArray(), s => s.GetProperty("slo").GetString() == "sign-in-availability");
        Assert.Equal("frozen", signIn.GetProperty("step").GetString());
    }

    [Fact]
    public async Task Each_slo_s_line_names_its_step_of_the_error_budget_policy()
    {
        // Latency has 40 % of its budget left (caution), the course list 20 % (restricted): both still release.
        await using var prometheus = await StartAsync((slo, _) => slo switch
        {
            "latency" => 0.6 * Budget(slo),
            "course-list-latency" => 0.8 * Budget(slo),
            _ => 0.2 * Budget(slo),
        });
        await WaitForBudgetsAsync(prometheus.Server);

        var result = await GateAsync(prometheus);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("ALLOW budget: SLO latency of api has 40 % of its 30d error budget left (step caution of the error budget policy)", result.Stdout);
        Assert.Contains("ALLOW budget: SLO course-list-latency of api has 20 % of its 30d error budget left (step restricted of the error budget policy)", result.Stdout);
        Assert.Contains("ALLOW budget: SLO availability of api has 80 % of its 30d error budget left\n", result.Stdout);
        Assert.Contains("release of api allowed\n", result.Stdout);
    }

    [Fact]
    public async Task A_firing_page_refuses_the_release_though_budget_is_left()
    {
        // Healthy for two days, then half the requests failing for the last 20 minutes: the fast burn pages while
        // most of the 30-day budget is still there.
        await using var prometheus = await StartAsync((slo, ago) =>
            slo == "availability" && ago < TimeSpan.FromMinutes(20) ? 0.5 : 0.001);
        await prometheus.Server.WaitForAsync(
            """ALERTS{alertname="AvailabilityErrorBudgetBurnFast", alertstate="firing", service="api"}""",
            s => s.Length == 1, Patience, "the fast availability burn paging");

        var result = await GateAsync(prometheus);

        Assert.Equal(1, result.ExitCode);
        var refusals = result.Stdout.Split('\n').Where(line => line.StartsWith("REFUSE", StringComparison.Ordinal)).ToList();
        var refusal = Assert.Single(refusals);
        Assert.StartsWith("""REFUSE alerts: page alert AvailabilityErrorBudgetBurnFast{""", refusal);
        Assert.Contains("""service="api""", refusal);
        Assert.Contains("""slo="availability""", refusal);
        Assert.Contains("ALLOW budget: SLO availability of api has", result.Stdout);
        Assert.Contains("release of api refused: 1 reason(s)", result.Stdout);
    }

    [Fact]
    public async Task No_data_refuses_unless_allowed()
    {
        await using var prometheus = await StartAsync(history: null);
        await prometheus.Server.WaitForAsync("slo:objective:ratio", s => s.Length == OpsFiles.SloSpec.Objectives.Count, Patience, "the SLO rules evaluated");

        var refused = await GateAsync(prometheus);
        var allowed = await GateAsync(prometheus, "--allow-no-data");

        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("""REFUSE budget: no data for SLO availability of api over 30d (slo:error_budget_remaining:ratio30d{service="api", slo="availability"} is absent)""", refused.Stdout);
        Assert.Contains("REFUSE budget: no data for SLO latency of api", refused.Stdout);
        Assert.True(allowed.ExitCode == 0, allowed.ToString());
        Assert.Contains("allowed by --allow-no-data", allowed.Stdout);
        Assert.Contains("release of api allowed", allowed.Stdout);
    }

    [Fact]
    public async Task An_unreachable_prometheus_refuses_and_says_so()
    {
        var result = await Command.RunScriptAsync("release-gate.sh", ["--prometheus", $"http://127.0.0.1:{FreePort.Next()}"]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("did not answer", result.Stderr);
    }

    [Fact]
    public async Task An_answer_the_gate_cannot_read_refuses_the_release()
    {
        // A page alert fires, but its labels arrive mangled (a proxy in between, a broken upgrade): listing it fails.
        // The budget answer is fine, so a gate that carried on past the failure would let the release out.
        await using var prometheus = new CannedPrometheus(query => query.StartsWith("ALERTS", StringComparison.Ordinal)
            ? """[{"metric":"mangled","value":[0,"1"]}]"""
            : """[{"metric":{"slo":"availability","service":"api"},"value":[0,"0.5"]}]""");

        var result = await Command.RunScriptAsync("release-gate.sh", ["--prometheus", prometheus.BaseAddress]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("refusing the release", result.Stderr);
        Assert.DoesNotContain("allowed", result.Stdout);
    }

    private static Task<CommandResult> GateAsync(GatedPrometheus prometheus, params string[] options) =>
        Command.RunScriptAsync("release-gate.sh", ["--prometheus", prometheus.Url, "--service", "api", .. options]);

    private static Task WaitForBudgetsAsync(PrometheusServer prometheus) =>
        prometheus.WaitForAsync("""slo:error_budget_remaining:ratio30d{service="api"}""", s => s.Length == OpsFiles.SloSpec.Objectives.Count, Patience,
            "every SLO's budget recorded");

    private static double Budget(string slo) => OpsFiles.SloSpec.Objectives.Single(o => o.Name == slo).BudgetRatio;

    /// <summary>
    /// Prometheus on the repository's rules with 1 s clocks, after <paramref name="history"/> was backfilled. It
    /// scrapes itself as the service's target, so the "no service target" page stays quiet.
    /// </summary>
    private static async Task<GatedPrometheus> StartAsync(Func<string, TimeSpan, double>? history)
    {
        var port = FreePort.Next();
        var config = PrometheusConfigCopy.Render([new ScrapeTarget("api", $"127.0.0.1:{port}")], [], port,
            new PrometheusClock(Interval: "1s", AlertFor: "10s"));
        try
        {
            if (history is not null)
            {
                await SloHistory.BackfillAsync(Path.Combine(config.Directory, "data"), "api", History, history);
            }
            var server = await PrometheusServer.StartAsync(config, port);
            await server.WaitForAsync("""up{job="services"} == 1""", s => s.Length == 1, Patience, "the service target up");
            // Rules may run before the first scrape: let a "no service target" alert from that moment resolve.
            await server.WaitForAsync("""ALERTS{alertname="ServiceTargetsAbsent"}""", s => s.Length == 0, Patience, "no ServiceTargetsAbsent");
            return new GatedPrometheus(config, server);
        }
        catch
        {
            config.Dispose();
            throw;
        }
    }

    private sealed record GatedPrometheus(PrometheusConfigCopy Config, PrometheusServer Server) : IAsyncDisposable
    {
        public string Url => Server.BaseAddress.ToString().TrimEnd('/');

        public async ValueTask DisposeAsync()
        {
            await Server.DisposeAsync();
            Config.Dispose();
        }
    }
}
