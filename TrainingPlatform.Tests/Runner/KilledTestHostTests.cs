using System.Globalization;
using Xunit.Abstractions;

namespace TrainingPlatform.Tests.Runner;

/// <summary>
/// A test host killed mid-run (an OOM kill, a cancelled CI job) must leave nothing running. This runs real tests of
/// this suite in a test host of their own, waits until they have started one of each kind of program the suite
/// starts, kills that host with SIGKILL and then looks for anything it left.
/// </summary>
[LongRunning(60)]
public sealed class KilledTestHostTests(ITestOutputHelper output)
{
    // Tests whose programs together cover each kind: the local stack (its orchestrator, API replicas, Postgres, Redis,
    // HAProxy, Prometheus, Alertmanager, the blackbox exporter, the mail catcher), an API process of its own, and the
    // local S3 server with its Postgres.
    private static readonly string[] Tests =
    [
        // A one-replica stack of its own (the stack tests share the scale-out stack of three).
        "TrainingPlatform.Tests.Stack.StackRestartTests",
        "TrainingPlatform.Tests.Ops.Scripts.S3RestoreDrillTests.A_failing_connection_is_reported_without_the_password",
        "TrainingPlatform.Tests.Reliability.GracefulShutdownTests",
    ];

    // What must be running before the kill, each matched against a program's command line.
    private static readonly string[] Kinds =
    [
        "dcp", "TrainingPlatform.Api", "bin/postgres -D", "redis-server", "haproxy", "prometheus",
        "prometheus-alertmanager", "prometheus-blackbox-exporter", "s3rver",
    ];

    [Fact]
    public async Task A_test_host_killed_mid_run_leaves_no_program_running()
    {
        // Everything the child run starts inherits this TMPDIR, so it marks the run's programs even after they are
        // handed to init; the descendants seen before the kill are tracked as well, in case a launcher cleared it.
        var marker = Directory.CreateTempSubdirectory("tp-killed-host-").FullName;
        // As ./test.sh makes its TMPDIR: programs run as the postgres user create their folders under it too.
        Assert.Equal(0, (await Command.RunAsync("chmod", ["755", marker])).ExitCode);
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = RepositoryRoot.Path,
        };
        foreach (var argument in new[]
                 {
                     "test", Path.Combine(RepositoryRoot.Path, "TrainingPlatform.Tests"), "-c", RepositoryRoot.Configuration,
                     "--no-build", "--results-directory", Path.Combine(marker, "results"),
                     "--filter", string.Join('|', Tests.Select(t => $"FullyQualifiedName~{t}")),
                 })
        {
            info.ArgumentList.Add(argument);
        }
        info.Environment["TMPDIR"] = marker;
        using var run = Process.Start(info)!;
        run.StandardInput.Close();
        _ = run.StandardOutput.ReadToEndAsync();
        _ = run.StandardError.ReadToEndAsync();
        using var watchdog = LocalProcess.Watch(run.Id, Environment.ProcessId);

        var seen = new HashSet<RunningProgram>();
        try
        {
            await Wait.ForAsync(() =>
            {
                seen.UnionWith(ProgramsOf(marker, run.Id, seen));
                return Task.FromResult(Kinds.Where(kind => !seen.Any(p => p.CommandLine.Contains(kind, StringComparison.Ordinal))).ToList());
            }, missing => missing.Count == 0, TimeSpan.FromMinutes(4), missing =>
                $"the child run to start one program of each kind; missing {string.Join(", ", missing)}; seen:\n"
                + string.Join("\n", seen.Select(p => p.CommandLine)));

            // One process, though it may have been seen twice: read while it was still starting, its record differed.
            // A process the host has just forked shows the host's command line until it execs, and its record keeps
            // it: the host is the one whose parent is not a host.
            var hosts = seen.Where(p => p.CommandLine.Contains("testhost", StringComparison.Ordinal) && p.IsAlive).ToList();
            var host = hosts.Where(p => !hosts.Any(h => h.Id == p.ParentId)).Select(p => p.Id).Distinct().Single();
            output.WriteLine($"killing the test host {host} with {seen.Where(p => p.IsAlive).DistinctBy(p => p.Id).Count()} programs running");
            Assert.Equal(0, kill(host, 9));

            await Wait.UntilAsync(() => !Leftovers(marker, seen).Any(), TimeSpan.FromSeconds(30),
                "every program of the killed run to end");
        }
        finally
        {
            var leftovers = Leftovers(marker, seen).ToList();
            foreach (var program in leftovers)
            {
                output.WriteLine($"left running: {program.Id} {program.CommandLine}");
                _ = kill(program.Id, 9);
            }
        }
    }

    private static IEnumerable<RunningProgram> Leftovers(string marker, HashSet<RunningProgram> seen) =>
        ProgramsOf(marker, rootId: -1, seen).Concat(seen).Where(p => p.IsAlive).DistinctBy(p => (p.Id, p.StartTicks));

    /// <summary>Live programs whose environment carries the marker or that descend from <paramref name="rootId"/>.</summary>
    private static IEnumerable<RunningProgram> ProgramsOf(string marker, int rootId, HashSet<RunningProgram> known)
    {
        var all = RunningProgram.All().ToList();
        var tree = new HashSet<int> { rootId };
        tree.UnionWith(known.Select(p => p.Id));
        bool grew;
        do
        {
            grew = false;
            foreach (var program in all.Where(p => !tree.Contains(p.Id) && tree.Contains(p.ParentId)))
            {
                grew |= tree.Add(program.Id);
            }
        }
        while (grew);
        return all.Where(p => p.Id != Environment.ProcessId
            && (tree.Contains(p.Id) && p.Id != rootId || p.HasEnvironment($"TMPDIR={marker}")));
    }

    /// <summary>A process seen in /proc, identified by its number and start time so a reused number is not it.</summary>
    private sealed record RunningProgram(int Id, int ParentId, long StartTicks, string CommandLine)
    {
        public bool IsAlive => Read(Id) is { } now && now.StartTicks == StartTicks && !now.IsZombie;

        private bool IsZombie { get; init; }

        public bool HasEnvironment(string entry)
        {
            try
            {
                return File.ReadAllText($"/proc/{Id}/environ").Split('\0').Contains(entry);
            }
            catch (IOException)
            {
                return false;
            }
            catch (UnauthorizedAccessException)
            {
                return false;
            }
        }

        public static IEnumerable<RunningProgram> All() =>
            Directory.EnumerateDirectories("/proc")
                .Select(Path.GetFileName)
                .Where(name => name!.All(char.IsAsciiDigit))
                .Select(name => Read(int.Parse(name!, CultureInfo.InvariantCulture)))
                .OfType<RunningProgram>()
                .Where(p => !p.IsZombie);

        private static RunningProgram? Read(int id)
        {
            try
            {
                // Fields after the command name (which may hold spaces) start after its closing parenthesis.
                var stat = File.ReadAllText($"/proc/{id}/stat");
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                var commandLine = File.ReadAllText($"/proc/{id}/cmdline").Replace('\0', ' ').Trim();
                return new RunningProgram(id, int.Parse(fields[1], CultureInfo.InvariantCulture),
                    long.Parse(fields[19], CultureInfo.InvariantCulture), commandLine) { IsZombie = fields[0] == "Z" };
            }
            catch (IOException)
            {
                return null;
            }
        }
    }

    [System.Runtime.InteropServices.DllImport("libc")]
    private static extern int kill(int pid, int sig);
}
