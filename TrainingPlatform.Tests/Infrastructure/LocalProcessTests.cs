namespace TrainingPlatform.Tests.Infrastructure;

/// <summary>Servers the tests start must not outlive the test host, however it ends (the runner may kill it).</summary>
public class LocalProcessTests
{
    [Fact]
    public async Task A_program_tied_to_a_process_is_killed_when_that_process_is()
    {
        using var owner = Process.Start("sleep", "300");
        await using var program = await StartSleepAsync();

        program.EndWith(owner.Id);
        owner.Kill();

        await Wait.UntilAsync(() => program.HasExited, TimeSpan.FromSeconds(15), "the tied program to be killed");
    }

    [Fact]
    public async Task A_launcher_tied_to_a_process_is_killed_with_everything_it_started()
    {
        using var owner = Process.Start("sleep", "300");
        // As dotnet run starts the AppHost, or a script its tools: the program's children are killed too.
        using var launcher = Process.Start("sh", ["-c", "sleep 300 & sleep 300 & wait"]);
        await Wait.UntilAsync(() => ChildrenOf(launcher.Id).Count == 2, TimeSpan.FromSeconds(10), "the launcher's two children");
        var children = ChildrenOf(launcher.Id);
        using var watchdog = LocalProcess.Watch(launcher.Id, owner.Id);

        owner.Kill();

        await Wait.UntilAsync(() => launcher.HasExited && children.All(child => !Directory.Exists($"/proc/{child}")), TimeSpan.FromSeconds(15),
            "the launcher and its children to be killed");
    }

    [Fact]
    public async Task An_owner_left_a_zombie_counts_as_ended()
    {
        // A process that has ended but is not reaped stays a zombie, which still "exists" for kill -0 and tail --pid:
        // here its parent (bash that became a sleep) never waits for it.
        using var parent = Process.Start("bash", ["-c", "sleep 0.1 & exec sleep 300"]);
        try
        {
            var owner = 0;
            await Wait.UntilAsync(() => ChildrenOf(parent.Id) is [var child] && File.ReadAllText($"/proc/{owner = child}/stat").Split(") ")[^1].StartsWith('Z'),
                TimeSpan.FromSeconds(10), "the owner to end, unreaped");
            await using var program = await StartSleepAsync();

            program.EndWith(owner);

            await Wait.UntilAsync(() => program.HasExited, TimeSpan.FromSeconds(15), "the tied program to be killed");
        }
        finally
        {
            parent.Kill();
        }
    }

    [Fact]
    public async Task Stopping_a_tied_program_stops_its_watchdog_too()
    {
        using var owner = Process.Start("sleep", "300");
        var program = await StartSleepAsync();
        program.EndWith(owner.Id);
        Assert.NotEmpty(WatchdogsOf(owner.Id));

        await program.DisposeAsync();

        await Wait.UntilAsync(() => WatchdogsOf(owner.Id).Count == 0, TimeSpan.FromSeconds(10), "the watchdog to go");
        Assert.False(owner.HasExited);
        owner.Kill();
    }

    private static Task<LocalProcess> StartSleepAsync() =>
        LocalProcess.StartAsync(new LocalCommand("sleep", ["300"]), _ => Task.FromResult(true), TimeSpan.FromSeconds(10));

    private static List<int> ChildrenOf(int pid) =>
        File.Exists($"/proc/{pid}/task/{pid}/children")
            ? File.ReadAllText($"/proc/{pid}/task/{pid}/children").Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToList()
            : [];

    // The watchdog's processes: its shell (and any child of it), naming the owner on their command line.
    private static List<int> WatchdogsOf(int ownerId) =>
        Directory.EnumerateDirectories("/proc")
            .Select(directory => int.TryParse(Path.GetFileName(directory), out var pid) ? pid : 0)
            .Where(pid => pid > 0)
            .Where(pid =>
            {
                try
                {
                    var commandLine = File.ReadAllText($"/proc/{pid}/cmdline").Split('\0');
                    return commandLine.Contains("watchdog") && commandLine.Contains(ownerId.ToString(System.Globalization.CultureInfo.InvariantCulture));
                }
                catch (IOException)
                {
                    return false;
                }
            })
            .ToList();
}
