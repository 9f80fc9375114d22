extern alias AppHost;
using AppHost::TrainingPlatform.AppHost;

namespace TrainingPlatform.Tests.Stack;

public class StackModeTests
{
    [Fact]
    public void Without_an_answering_runtime_local_mode_is_chosen()
    {
        var choice = StackModeSelector.Decide(setting: null, isPublishMode: false, answeringRuntime: () => null);

        Assert.Equal(StackMode.Local, choice.Mode);
        Assert.Contains("no container runtime answers", choice.Reason);
    }

    [Fact]
    public void A_cli_without_a_daemon_or_no_cli_at_all_means_no_runtime()
    {
        // As on a machine with the docker CLI but no daemon, and without podman.
        using var runtimes = new FakeRuntimes(("docker", "echo 'Cannot connect to the Docker daemon' >&2; exit 1"));

        Assert.Null(StackModeSelector.FindAnsweringRuntime([runtimes.Path("docker"), runtimes.Path("podman")]));
    }

    [Fact]
    public void The_probe_asks_info_of_docker_then_podman_and_picks_the_first_that_answers()
    {
        using var runtimes = new FakeRuntimes(("docker", "[ \"$1\" = info ] && exit 1"), ("podman", "[ \"$1\" = info ]"));

        Assert.Equal(["docker", "podman"], StackModeSelector.Runtimes);
        Assert.Equal(runtimes.Path("podman"), StackModeSelector.FindAnsweringRuntime(StackModeSelector.Runtimes.Select(runtimes.Path)));
    }

    [Fact]
    public void An_answering_runtime_selects_containers()
    {
        var choice = StackModeSelector.Decide(null, false, () => "podman");

        Assert.Equal(StackMode.Containers, choice.Mode);
        Assert.Contains("podman", choice.Reason);
    }

    [Theory]
    [InlineData("containers", null, StackMode.Containers)]
    [InlineData("Local", "docker", StackMode.Local)]
    public void The_setting_overrides_detection(string setting, string? runtime, StackMode expected)
    {
        var choice = StackModeSelector.Decide(setting, false, () => runtime);

        Assert.Equal(expected, choice.Mode);
        Assert.Contains("forced", choice.Reason);
    }

    [Fact]
    public void Publishing_is_its_own_mode_whatever_the_setting_or_the_runtime()
    {
        Assert.Equal(StackMode.Publish, StackModeSelector.Decide("local", true, () => null).Mode);
        Assert.Equal(StackMode.Publish, StackModeSelector.Decide(null, true, () => "docker").Mode);
    }

    [Fact]
    public void Publish_cannot_be_forced_by_the_setting()
    {
        // Only `--publisher manifest` (azd) publishes: a run told to publish would start nothing it could deploy.
        var error = Assert.Throws<ArgumentException>(() => StackModeSelector.Decide("publish", false, () => "docker"));
        Assert.Contains("'local' or 'containers'", error.Message);
    }

    [Fact]
    public void Every_program_local_mode_runs_names_the_package_prerequisites_installs()
    {
        Assert.Equal("prometheus", LocalProgram.Promtool.Package);
        Assert.Equal("postgresql", LocalProgram.Initdb.Package);
        Assert.Equal("dotnet tool install --global Rnwood.Smtp4dev --version 3.15.0", LocalProgram.Smtp4dev.InstallCommand);
        Assert.Equal("sudo apt-get install -y prometheus", LocalProgram.Prometheus.InstallCommand);
        Assert.Throws<ArgumentException>(() => LocalProgram.Declared("tp-not-in-the-table"));
    }

    [Fact]
    public void An_unknown_setting_is_a_clear_error()
    {
        var error = Assert.Throws<ArgumentException>(() => StackModeSelector.Decide("kubernetes", false, () => null));
        Assert.Contains("'local' or 'containers'", error.Message);
    }

    [Fact]
    public void A_missing_local_binary_names_itself_and_the_package_to_install()
    {
        var error = Assert.Throws<MissingProgramException>(() => new LocalProgram("tp-no-such-program", "tp-package").Path);

        Assert.Contains("'tp-no-such-program'", error.Message);
        Assert.Contains("apt-get install -y tp-package", error.Message);
    }

    /// <summary>Stand-ins for container runtimes' CLIs: shell scripts with the given bodies, in a folder of their own.</summary>
    private sealed class FakeRuntimes : IDisposable
    {
        private readonly TempFolder _directory = new("tp-runtimes-");

        public FakeRuntimes(params (string Name, string Body)[] runtimes)
        {
            foreach (var (name, body) in runtimes)
            {
                File.WriteAllText(Path(name), $"#!/bin/sh\n{body}\n");
                if (OperatingSystem.IsWindows())
                {
                    throw new PlatformNotSupportedException("the stand-ins are shell scripts");
                }
                File.SetUnixFileMode(Path(name), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }

        public string Path(string name) => System.IO.Path.Combine(_directory.FullName, name);

        public void Dispose() => _directory.Dispose();
    }
}
