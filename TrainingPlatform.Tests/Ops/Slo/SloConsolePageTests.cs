using System.Globalization;
using TrainingPlatform.Slo;
using TrainingPlatform.Tests.Ops.Alerting;

namespace TrainingPlatform.Tests.Ops.Slo;

/// <summary>
/// The SLO console page (ops/prometheus/consoles/slo.html) served by a real Prometheus with the flags local mode gives
/// it, on two days of backfilled history for every SLO: each SLO's numbers are what Prometheus's HTTP API answers for
/// the same query, and every panel of the Grafana SLO dashboard has data.
/// </summary>
public partial class SloConsolePageTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(45);

    // Each SLO at its own share of its budget's rate, so that no two SLOs show the same budget left.
    private static readonly Dictionary<string, double> BudgetBurn = new()
    {
        ["availability"] = 0.2,
        ["latency"] = 0.55,
        ["sign-in-availability"] = 1.5,
        ["course-list-latency"] = 0.9,
        ["upload-availability"] = 0.05,
    };

    [Fact]
    public async Task Each_slo_s_budget_on_the_page_is_what_prometheus_answers_for_its_query()
    {
        var spec = OpsFiles.SloSpec;
        Assert.Equal(spec.Objectives.Select(o => o.Name).Order(), BudgetBurn.Keys.Order());
        var port = FreePort.Next();
        using var config = PrometheusConfigCopy.Render([new ScrapeTarget(spec.Service, $"127.0.0.1:{port}")], [], port,
            new PrometheusClock(Interval: "1s", AlertFor: "10s"));
        await SloHistory.BackfillAsync(Path.Combine(config.Directory, "data"), spec.Service, TimeSpan.FromDays(2),
            (slo, _) => BudgetBurn[slo] * spec.Objectives.Single(o => o.Name == slo).BudgetRatio);
        await using var prometheus = await PrometheusServer.StartAsync(config, port, PrometheusConsoles.Arguments(Path.Combine(OpsFiles.RepositoryRoot, "ops")));
        await prometheus.WaitForAsync($$"""{{Promql.BudgetRemaining}}{service="{{spec.Service}}"}""", s => s.Length == spec.Objectives.Count, Patience,
            "every SLO's budget recorded");

        var (status, page) = await prometheus.GetPageAsync(PrometheusConsoles.SloPage);

        Assert.True(status == HttpStatusCode.OK, $"{PrometheusConsoles.SloPage} answered {(int)status}: {page}");
        var cells = Cell().Matches(page).ToDictionary(m => m.Groups["id"].Value, m => (Query: WebUtility.HtmlDecode(m.Groups["query"].Value), Shown: m.Groups["value"].Value));
        foreach (var slo in spec.Objectives)
        {
            Assert.True(cells.TryGetValue($"budget-{slo.Name}", out var budget), $"the page has no budget cell for {slo.Name}");
            Assert.Equal(ConsolePage.BudgetQuery(spec, slo), budget.Query);
            var answered = Value(await prometheus.QueryAsync(budget.Query));
            Assert.Equal(answered.ToString("0.0", CultureInfo.InvariantCulture) + " %", budget.Shown);
            // The history it was given: 1 - burn, in percent.
            Assert.InRange(answered, (1 - BudgetBurn[slo.Name]) * 100 - 0.5, (1 - BudgetBurn[slo.Name]) * 100 + 0.5);

            foreach (var window in ConsolePage.BurnWindows)
            {
                var burn = cells[$"burn-{window}-{slo.Name}"];
                Assert.Equal(Value(await prometheus.QueryAsync(burn.Query)).ToString("0.00", CultureInfo.InvariantCulture) + "×", burn.Shown);
            }
            var requests = cells[$"requests-{slo.Name}"];
            Assert.NotEqual("no data", requests.Shown);
        }
        Assert.Contains("<th>p95</th>", page);

        // Each rule group has its first evaluation at its own moment after start: a panel may wait for its group.
        var dashboard = GrafanaDashboards.All().Single(d => d.File == Path.GetFileName(SloDashboard.File));
        var queries = GrafanaDashboards.Queries(dashboard.File, dashboard.Dashboard).Where(q => !q.Expression.StartsWith("ALERTS", StringComparison.Ordinal)).ToList();
        await Wait.ForAsync(async () =>
        {
            var empty = new List<string>();
            foreach (var query in queries)
            {
                var answer = await prometheus.QueryAsync(query.Rendered);
                if (!answer.IsSuccess || answer.Series.Length == 0)
                {
                    empty.Add($"{query} → {answer.Body}");
                }
            }
            return empty;
        }, empty => empty.Count == 0, Patience, empty => "Panels without data:\n" + string.Join("\n", empty));
    }

    private static double Value(PrometheusAnswer answer)
    {
        Assert.True(answer.IsSuccess, answer.Body.ToString());
        return double.Parse(Assert.Single(answer.Series).GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture);
    }

    [GeneratedRegex("""<td id="(?<id>[a-z0-9.-]+)" data-query="(?<query>[^"]*)">(?<value>[^<]*)</td>""")]
    private static partial Regex Cell();
}
