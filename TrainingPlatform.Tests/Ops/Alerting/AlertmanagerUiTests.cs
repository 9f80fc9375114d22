namespace TrainingPlatform.Tests.Ops.Alerting;

/// <summary>
/// ops/alertmanager/build-ui.sh: Alertmanager's compiled web UI out of Debian's -dev package of the installed binary's
/// version (downloaded with apt-get), for the local Alertmanager's <c>--web.ui-path</c>. That the served UI lists the
/// alerts is DashboardTests' part.
/// </summary>
public class AlertmanagerUiTests
{
    private static string Script => RepositoryRoot.Ops("alertmanager", "build-ui.sh");

    [Fact]
    public async Task It_writes_the_compiled_ui_of_the_installed_version_once()
    {
        using var parent = new TempFolder("tp-am-ui-");
        var ui = Path.Combine(parent.FullName, "ui");
        var installed = await Command.RunAsync("dpkg-query", ["-W", "-f", "${source:Version}", "prometheus-alertmanager"]);

        var first = await Command.RunAsync(Script, [ui], timeout: TimeSpan.FromMinutes(3));
        var second = await Command.RunAsync(Script, [ui]);

        Assert.True(first.ExitCode == 0, first.ToString());
        // The page Alertmanager serves at /, the Elm program it starts, and what the page links.
        Assert.Contains("Elm.Main.init", File.ReadAllText(Path.Combine(ui, "index.html")));
        Assert.Contains("Elm", File.ReadAllText(Path.Combine(ui, "script.js")));
        Assert.True(new FileInfo(Path.Combine(ui, "script.js")).Length > 50_000);
        Assert.True(File.Exists(Path.Combine(ui, "lib", "font-awesome-4.7.0", "css", "font-awesome.min.css")));
        Assert.Equal(installed.Stdout, File.ReadAllText(Path.Combine(ui, "VERSION")).Trim());
        // Nothing left beside it: the work directory was renamed into place or removed.
        Assert.Equal([ui], Directory.GetFileSystemEntries(parent.FullName));
        Assert.True(second.ExitCode == 0 && second.Output.Trim().Length == 0, $"A second run should do nothing: {second}");
    }

    [Fact]
    public async Task Without_a_directory_or_with_an_unknown_option_it_is_a_usage_error()
    {
        var none = await Command.RunAsync(Script, []);
        var unknown = await Command.RunAsync(Script, ["--no-such-option"]);

        Assert.Equal(2, none.ExitCode);
        Assert.StartsWith("Usage: ops/alertmanager/build-ui.sh DIRECTORY", none.Stderr);
        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("--no-such-option", unknown.Stderr);
    }
}
