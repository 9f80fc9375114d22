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
    public void On_this_machine_no_runtime_answers_so_the_real_probe_picks_local()
    {
        // CI and our machines have the docker CLI but no daemon: the probe must say so quickly, not hang.
        var choice = StackModeSelector.Decide(null, false, StackModeSelector.FindAnsweringRuntime);

        Assert.Equal(StackMode.Local, choice.Mode);
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
    public void Publishing_always_uses_containers()
    {
        Assert.Equal(StackMode.Containers, StackModeSelector.Decide("local", true, () => null).Mode);
    }

    [Fact]
    public void Every_program_local_mode_runs_names_the_package_prerequisites_installs()
    {
        Assert.Equal("prometheus", LocalProgram.Promtool.Package);
        Assert.Equal("postgresql", LocalProgram.Initdb.Package);
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
}
