using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using TrainingPlatform.Slo;
using TrainingPlatform.Tests.Api;
using Route = TrainingPlatform.Slo.Route;

namespace TrainingPlatform.Tests.Ops.Slo;

/// <summary>
/// ops/slo/slos.yaml against what it feeds and what it measures: the committed generated files are what it generates,
/// its latency thresholds are buckets of the duration histogram, its routes are routes the API serves, and a broken
/// spec is refused with the place and the reason.
/// </summary>
public class SloSpecTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    [Fact]
    public void Every_generated_file_is_what_the_spec_generates()
    {
        var generated = Generated.All(OpsFiles.RepositoryRoot);
        var stale = Generated.Stale(OpsFiles.RepositoryRoot);

        Assert.True(stale.Count == 0, $"Stale: {string.Join(", ", stale)}. Run ops/slo/generate.sh and commit the result.");
        // The rules, their cases, the docs, the gate's list, the dashboard and the console page.
        Assert.Equal(9, generated.Count);
        Assert.Contains(generated, file => file.Path == "ops/prometheus/consoles/slo.html");
    }

    [Fact]
    public void A_stale_file_is_found()
    {
        using var root = CopyOfGeneratedFiles();
        Assert.Empty(Generated.Stale(root.FullName));

        // Someone edits the objective in the spec and forgets to generate.
        var spec = Path.Combine(root.FullName, Generated.SpecFile);
        File.WriteAllText(spec, File.ReadAllText(spec).Replace("objective: 99.5", "objective: 99.9", StringComparison.Ordinal));

        var stale = Generated.Stale(root.FullName);
        Assert.Contains(RuleFiles.RecordingFile, stale);
        Assert.Contains(RuleFiles.AlertsFile, stale);
        Assert.Contains(Docs.SlosDoc, stale);
        Assert.Contains(ReleaseGateList.File, stale);
    }

    [Fact]
    public void An_slo_alert_without_a_runbook_section_gets_one_and_every_meaning_is_the_spec_s()
    {
        using var root = CopyOfGeneratedFiles();
        var runbooks = Path.Combine(root.FullName, Docs.RunbooksDoc);
        var committed = File.ReadAllText(runbooks);
        var start = committed.IndexOf("## UploadErrorBudgetBurnSlow\n", StringComparison.Ordinal);
        var end = committed.IndexOf("\n## ", start + 1, StringComparison.Ordinal) + 1;
        // The section gone, and a hand-edited Meaning of another SLO alert.
        var edited = committed[..start] + committed[end..];
        edited = Regex.Replace(edited, @"(## SignInErrorBudgetBurnFast\n\n### Meaning\n\n).*?(?=\n\n### )", "$1Sign-in is down.", RegexOptions.Singleline);
        File.WriteAllText(runbooks, edited);

        Assert.Contains(Docs.RunbooksDoc, Generated.Stale(root.FullName));
        Generated.Write(root.FullName);

        Assert.Equal(committed, File.ReadAllText(runbooks));
    }

    [Fact]
    public void Every_latency_threshold_is_a_bucket_of_the_duration_histogram()
    {
        var latency = OpsFiles.SloSpec.Objectives.Where(o => o.Indicator == Indicator.Latency).ToList();

        Assert.NotEmpty(latency);
        Assert.All(latency, slo => Assert.Contains(slo.ThresholdSeconds!.Value, HttpMeasures.DurationBuckets));
    }

    [Fact]
    public void Every_route_of_a_journey_is_one_the_api_serves_under_that_path_template()
    {
        // The label a request gets: its route pattern, slashes trimmed and one put in front (ServiceDefaults' PathTemplate).
        var served = api.Server.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .SelectMany(endpoint => (endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? [])
                .Select(method => new Route(method, "/" + endpoint.RoutePattern.RawText!.Trim('/'))))
            .ToHashSet();
        var routes = OpsFiles.SloSpec.Objectives.SelectMany(slo => slo.Routes).ToList();

        Assert.NotEmpty(routes);
        Assert.All(routes, route => Assert.True(served.Contains(route), $"slos.yaml names {route.Method} {route.PathTemplate}, which the API does not serve"));
        Assert.Contains(RuleTests.WholeApiSample, served);
    }

    /// <summary>A temporary folder holding the spec and every file generated from it, as committed.</summary>
    private static TempFolder CopyOfGeneratedFiles()
    {
        var root = new TempFolder("tp-slo-");
        foreach (var file in Generated.All(OpsFiles.RepositoryRoot).Select(f => f.Path).Append(Generated.SpecFile))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(root.FullName, file))!);
            File.Copy(Path.Combine(OpsFiles.RepositoryRoot, file), Path.Combine(root.FullName, file));
        }
        return root;
    }

    [Theory]
    [InlineData("objective: 99.5", "objective: 100", "slos[2] (sign-in-availability): objective 100 must be a percentage between 0 and 100")]
    [InlineData("latency: { threshold: 0.25 }", "latency: { limit: 0.25 }", "slos[3] (course-list-latency).indicator.latency: 'threshold' is missing")]
    [InlineData("- { method: POST, path_template: /api/v1/upload }", "- { method: SEND, path_template: /api/v1/upload }", "slos[4] (upload-availability).routes[0]: method 'SEND' is not one of")]
    [InlineData("window: 30d", "window: 4w", "'window' is '4w', not a Prometheus duration of one unit")]
    [InlineData("alert: SignIn", "alert: Availability", "'Availability' names 2 SLOs")]
    public void A_broken_spec_is_refused_with_the_place_and_the_reason(string from, string to, string message)
    {
        using var folder = new TempFolder("tp-slo-spec-");
        var file = Path.Combine(folder.FullName, "slos.yaml");
        var text = File.ReadAllText(Path.Combine(OpsFiles.RepositoryRoot, Generated.SpecFile));
        Assert.Contains(from, text);
        File.WriteAllText(file, text.Replace(from, to, StringComparison.Ordinal));

        var error = Assert.Throws<SloSpecException>(() => SloSpecReader.Read(file));
        Assert.Contains(message, error.Message);
    }
}
