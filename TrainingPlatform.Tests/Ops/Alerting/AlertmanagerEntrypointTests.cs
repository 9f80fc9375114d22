namespace TrainingPlatform.Tests.Ops.Alerting;

/// <summary>
/// ops/alertmanager/entrypoint.sh when deployed (<c>ALERTMANAGER_PAGE_URL_REQUIRED=true</c>, set by the publish
/// output): without a page URL it refuses to start, since every critical alert would page nobody; elsewhere an empty
/// URL is the local default. The real Alertmanager binary is exec'd with <c>--version</c>, which proves the script got
/// that far and ends at once.
/// </summary>
public class AlertmanagerEntrypointTests
{
    [Fact]
    public async Task Deployed_without_a_page_url_it_refuses_to_start_and_names_the_parameter()
    {
        var result = await RunAsync(required: true, pageUrl: "");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("alertmanager-page-url", result.Stderr);
        Assert.DoesNotContain("alertmanager, version", result.Output);
    }

    [Fact]
    public async Task Deployed_with_a_page_url_it_starts_alertmanager_with_that_webhook()
    {
        var result = await RunAsync(required: true, pageUrl: "http://pager.example/hook");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("alertmanager, version", result.Output);
    }

    [Fact]
    public async Task Outside_a_deployment_an_empty_page_url_still_starts_alertmanager()
    {
        var result = await RunAsync(required: false, pageUrl: "");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("alertmanager, version", result.Output);
    }

    private static async Task<CommandResult> RunAsync(bool required, string pageUrl)
    {
        var directory = Directory.CreateTempSubdirectory("tp-am-entrypoint-");
        try
        {
            var rendered = Path.Combine(directory.FullName, "alertmanager.yml");
            var environment = new Dictionary<string, string>
            {
                ["ALERTMANAGER_BIN"] = LocalProgram.Alertmanager.Path,
                ["ALERTMANAGER_RENDERED"] = rendered,
                ["ALERTMANAGER_PAGE_URL"] = pageUrl,
            };
            if (required)
            {
                environment["ALERTMANAGER_PAGE_URL_REQUIRED"] = "true";
            }
            var result = await Command.RunAsync("/bin/sh", [AlertmanagerServer.Entrypoint, "--version"], environment, timeout: TimeSpan.FromSeconds(30));
            if (pageUrl.Length > 0)
            {
                Assert.Contains($"url: \"{pageUrl}\"", await File.ReadAllTextAsync(rendered));
            }
            return result;
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
