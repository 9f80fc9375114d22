using System.Text.Json.Nodes;
using YamlDotNet.RepresentationModel;

namespace TrainingPlatform.Tests.Ops.Slo;

/// <summary>Grafana cannot run here: the dashboards and provisioning are checked as files and against a real Prometheus.</summary>
public partial class GrafanaDashboardTests
{
    private const string DataSourceVariable = "${datasource}";

    [Fact]
    public void The_four_dashboards_load_with_stable_unique_uids()
    {
        var dashboards = GrafanaDashboards.All();

        Assert.Equal(
            new[] { "http-by-route.json", "runtime-and-database.json", "security-events.json", "slo-overview.json" },
            dashboards.Select(d => d.File).Order());
        var uids = dashboards.Select(d => (string?)d.Dashboard["uid"]).ToList();
        Assert.All(uids, uid => Assert.Matches("^tp-[a-z-]+$", uid));
        Assert.Equal(uids.Count, uids.Distinct().Count());
        Assert.All(dashboards, d => Assert.Null(d.Dashboard["id"]));
    }

    [Fact]
    public void Every_dashboard_picks_its_data_source_and_service_by_variable()
    {
        foreach (var (file, dashboard) in GrafanaDashboards.All())
        {
            var variables = dashboard["templating"]!["list"]!.AsArray().OfType<JsonObject>().ToList();
            var dataSource = Assert.Single(variables, v => (string?)v["name"] == "datasource");
            Assert.Equal("datasource", (string?)dataSource["type"]);
            Assert.Equal("prometheus", (string?)dataSource["query"]);
            var service = Assert.Single(variables, v => (string?)v["name"] == "service");
            Assert.Equal("query", (string?)service["type"]);
            Assert.StartsWith("label_values(", (string?)service["definition"]);

            foreach (var panel in GrafanaDashboards.Panels(dashboard))
            {
                Assert.True(DataSourceVariable == (string?)panel["datasource"]?["uid"], $"{file} / {panel["title"]} has a fixed data source");
                foreach (var target in panel["targets"]!.AsArray().OfType<JsonObject>())
                {
                    Assert.Equal(DataSourceVariable, (string?)target["datasource"]?["uid"]);
                }
            }
        }
    }

    [Fact]
    public void No_query_names_an_instance()
    {
        var queries = GrafanaDashboards.All().SelectMany(d => GrafanaDashboards.Queries(d.File, d.Dashboard)).ToList();

        Assert.NotEmpty(queries);
        foreach (var query in queries)
        {
            Assert.False(string.IsNullOrWhiteSpace(query.Expression), $"{query.Dashboard} / {query.Panel} has an empty query");
            foreach (Match match in InstanceMatcher().Matches(query.Expression))
            {
                Assert.True(match.Groups["value"].Value == "$instance", $"{query} names instance {match.Value}");
            }
        }
    }

    [Fact]
    public void The_data_source_comes_from_the_environment_and_dashboards_from_the_mount()
    {
        var dataSource = Yaml(Path.Combine(OpsFiles.Grafana, "provisioning", "datasources", "prometheus.yml"))["datasources"][0];
        Assert.Equal("prometheus", Scalar(dataSource["type"]));
        Assert.Equal("prometheus", Scalar(dataSource["uid"]));
        Assert.Equal("$PROMETHEUS_URL", Scalar(dataSource["url"]));

        var provider = Yaml(Path.Combine(OpsFiles.Grafana, "provisioning", "dashboards", "dashboards.yml"))["providers"][0];
        Assert.Equal("file", Scalar(provider["type"]));
        Assert.Equal("/var/lib/grafana/dashboards", Scalar(provider["options"]["path"]));
    }

    [Fact]
    public async Task Every_panel_and_variable_query_is_accepted_by_a_real_prometheus()
    {
        var port = FreePort.Next();
        using var config = PrometheusConfigCopy.Render([], [], port);
        await using var prometheus = await PrometheusServer.StartAsync(config, port);

        var queries = GrafanaDashboards.All()
            .SelectMany(d => GrafanaDashboards.Queries(d.File, d.Dashboard).Concat(GrafanaDashboards.VariableQueries(d.File, d.Dashboard)))
            .ToList();
        var rejected = new List<string>();
        foreach (var query in queries)
        {
            var answer = await prometheus.QueryAsync(query.Rendered);
            if (!answer.IsSuccess)
            {
                rejected.Add($"{query} → {(int)answer.StatusCode} {answer.Body}");
            }
        }

        Assert.True(rejected.Count == 0, string.Join("\n", rejected));
        Assert.True(queries.Count > 30, $"only {queries.Count} queries found");
    }

    [Fact]
    public void Grafana_substitution_yields_plain_promql()
    {
        Assert.Equal(
            "sum(rate(x{service=~\".*\", instance=~\".*\"}[1m])) / 15s / 1h",
            GrafanaDashboards.Substitute("sum(rate(x{service=~\"$service\", instance=~\"${instance}\"}[$__rate_interval])) / $__interval / ${__range}"));
    }

    private static YamlNode Yaml(string file)
    {
        using var reader = new StreamReader(file);
        var stream = new YamlStream();
        stream.Load(reader);
        return stream.Documents[0].RootNode;
    }

    private static string? Scalar(YamlNode node) => ((YamlScalarNode)node).Value;

    [GeneratedRegex(@"instance\s*=~?\s*""(?<value>[^""]*)""")]
    private static partial Regex InstanceMatcher();
}
