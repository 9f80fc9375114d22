using System.Runtime.Versioning;

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

    [Theory]
    [InlineData("http://pager.example/hook\\")]
    [InlineData("http://pager.example/hook\"\n      - url: \"http://attacker.example/")]
    [InlineData("http://pager.example/hook'x")]
    [InlineData("http://pager.example/hook x")]
    [InlineData("http://pager.example/hook\ttab")]
    [InlineData("http://pager.example/\u0001")]
    [InlineData("pager.example/hook")]
    public async Task A_webhook_url_that_could_break_the_yaml_is_refused_without_printing_it(string url)
    {
        using var directory = new TempFolder("tp-am-entrypoint-");
        var rendered = Path.Combine(directory.FullName, "alertmanager.yml");

        var result = await Command.RunAsync("/bin/sh", [AlertmanagerServer.Entrypoint, "--version"], new Dictionary<string, string>
        {
            ["ALERTMANAGER_BIN"] = LocalProgram.Alertmanager.Path,
            ["ALERTMANAGER_RENDERED"] = rendered,
            ["ALERTMANAGER_TICKET_URL"] = url,
        }, timeout: TimeSpan.FromSeconds(30));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("ALERTMANAGER_TICKET_URL", result.Stderr);
        Assert.DoesNotContain("pager.example", result.Output);
        Assert.DoesNotContain("alertmanager, version", result.Output);
        Assert.Empty(Directory.GetFileSystemEntries(directory.FullName));
    }

    [Fact]
    [SupportedOSPlatform("linux")]
    public async Task By_default_the_configuration_is_written_owner_only_into_a_fresh_private_directory()
    {
        using var temp = new TempFolder("tp-am-entrypoint-");

        var result = await Command.RunAsync("/bin/sh", [AlertmanagerServer.Entrypoint, "--version"], new Dictionary<string, string>
        {
            ["ALERTMANAGER_BIN"] = LocalProgram.Alertmanager.Path,
            ["ALERTMANAGER_PAGE_URL"] = "http://pager.example/hook",
            ["TMPDIR"] = temp.FullName,
        }, timeout: TimeSpan.FromSeconds(30));

        Assert.True(result.ExitCode == 0, result.ToString());
        var directory = Assert.Single(Directory.GetDirectories(temp.FullName));
        Assert.Matches(@"/alertmanager\.[A-Za-z0-9]{8}$", directory);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(directory));
        var rendered = Assert.Single(Directory.GetFiles(directory));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(rendered));
        Assert.Contains("url: \"http://pager.example/hook\"", await File.ReadAllTextAsync(rendered));
    }

    [Fact]
    [SupportedOSPlatform("linux")]
    public async Task A_link_planted_at_the_rendered_path_is_replaced_not_followed()
    {
        using var directory = new TempFolder("tp-am-entrypoint-");
        var victim = Path.Combine(directory.FullName, "victim");
        await File.WriteAllTextAsync(victim, "untouched");
        var rendered = Path.Combine(directory.FullName, "alertmanager.yml");
        File.CreateSymbolicLink(rendered, victim);

        var result = await Command.RunAsync("/bin/sh", [AlertmanagerServer.Entrypoint, "--version"], new Dictionary<string, string>
        {
            ["ALERTMANAGER_BIN"] = LocalProgram.Alertmanager.Path,
            ["ALERTMANAGER_RENDERED"] = rendered,
            ["ALERTMANAGER_PAGE_URL"] = "http://pager.example/hook",
        }, timeout: TimeSpan.FromSeconds(30));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("untouched", await File.ReadAllTextAsync(victim));
        Assert.Null(new FileInfo(rendered).LinkTarget);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(rendered));
    }

    private static async Task<CommandResult> RunAsync(bool required, string pageUrl)
    {
        using var directory = new TempFolder("tp-am-entrypoint-");
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
}
