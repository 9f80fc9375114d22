namespace TrainingPlatform.Tests.Runner;

/// <summary>
/// ./test.sh's last line is what CI and a maintainer read: it must count as failed every test that did not report a
/// result, and never say "0 failed" for a run that failed or ran nothing. Each case runs the real script on a small
/// suite (<c>Runner/TinySuite</c>) whose tests pass, fail, skip, crash the test host or hang.
/// </summary>
[LongRunning(110)]
public class TestScriptTests : IClassFixture<TestScriptTests.TinySuite>
{
    private readonly TinySuite _suite;

    public TestScriptTests(TinySuite suite) => _suite = suite;

    [Fact]
    public async Task Passing_and_skipped_tests_are_counted_the_run_succeeds_and_what_they_leave_in_the_temporary_directory_is_removed()
    {
        // One run for both (each costs about 4 CPU-s): the scratch test leaves files in the run's TMPDIR.
        var temp = System.IO.Directory.CreateDirectory(Path.Combine(_suite.Directory, "tmp")).FullName;

        var (exitCode, lastLine, _) = await _suite.TestAsync(new Dictionary<string, string> { ["TMPDIR"] = temp }, "Passing", "Skipping", "Scratch");

        Assert.Equal(0, exitCode);
        Assert.Equal("6 passed, 0 failed, 1 skipped", lastLine);
        Assert.Empty(System.IO.Directory.EnumerateFileSystemEntries(temp));
    }

    [Fact]
    public async Task A_failing_test_and_one_aborted_by_the_session_timeout_count_as_failed()
    {
        // One run for both (a run costs about 4 CPU-s, and this one the 15-s session timeout): the failure is reported
        // while the hanging test holds its thread, and the timeout then aborts the run with it unreported.
        var (exitCode, lastLine, output) = await _suite.TestAsync("Passing", "Failing", "Hanging");

        Assert.NotEqual(0, exitCode);
        Assert.Equal("5 passed, 2 failed", lastLine);
        Assert.Contains("TinySuite.Failing.Fails", output);
        Assert.Contains("TinySuite.Hanging.Hangs", output);
    }

    [Fact]
    public async Task Tests_cut_short_by_a_crashed_test_host_count_as_failed()
    {
        var (exitCode, lastLine, output) = await _suite.TestAsync("Passing", "Crashing");

        Assert.NotEqual(0, exitCode);
        var counts = Counts(lastLine);
        // Whatever ran before the crash passed; the crashing test and everything after it are failures.
        Assert.Equal(6, counts.Passed + counts.Failed);
        Assert.True(counts.Failed >= 1, output);
        Assert.Contains("TinySuite.Crashing.Crashes", output);
    }

    [Fact]
    public async Task A_run_that_discovers_nothing_fails()
    {
        var (exitCode, lastLine, output) = await _suite.TestAsync("NoSuchTest");

        Assert.NotEqual(0, exitCode);
        Assert.Equal("0 passed, 1 failed", lastLine);
        Assert.Contains("no test was discovered", output);
    }

    [Fact]
    public async Task A_build_that_fails_says_so_and_counts_a_failure()
    {
        var result = await Command.RunAsync(Path.Combine(RepositoryRoot.Path, "test.sh"),
            ["--project", Path.Combine(_suite.Directory, "Missing.csproj")],
            new Dictionary<string, string> { ["TEST_RESULTS_DIR"] = Path.Combine(_suite.Directory, "results-build") },
            timeout: TimeSpan.FromMinutes(2));

        Assert.NotEqual(0, result.ExitCode);
        Assert.Equal("0 passed, 1 failed", LastLine(result.Stdout));
    }

    private static (int Passed, int Failed) Counts(string line)
    {
        var match = Regex.Match(line, @"^(\d+) passed, (\d+) failed(, \d+ skipped)?$");
        Assert.True(match.Success, $"not a closing line: '{line}'");
        return (int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture),
            int.Parse(match.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture));
    }

    private static string LastLine(string output) => output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[^1];

    /// <summary>
    /// The small suite copied, with the repository's build and package settings, into a folder of its own, so its
    /// build and results never touch the real suite's.
    /// </summary>
    public sealed class TinySuite : IDisposable
    {
        private static int _runs;

        private readonly TempFolder _folder = new("tp-tinysuite-");

        public string Directory => _folder.FullName;

        public TinySuite()
        {
            var source = Path.Combine(RepositoryRoot.Path, "TrainingPlatform.Tests", "Runner", "TinySuite");
            var target = System.IO.Directory.CreateDirectory(Path.Combine(Directory, "TinySuite")).FullName;
            foreach (var file in System.IO.Directory.GetFiles(source))
            {
                File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
            }
            foreach (var file in new[] { "Directory.Build.props", "Directory.Packages.props", "global.json" })
            {
                File.Copy(Path.Combine(RepositoryRoot.Path, file), Path.Combine(Directory, file));
            }
        }

        /// <summary>./test.sh on the test classes named, with a session timeout of a few seconds.</summary>
        public Task<(int ExitCode, string LastLine, string Output)> TestAsync(params string[] classes) =>
            TestAsync(new Dictionary<string, string>(), classes);

        /// <inheritdoc cref="TestAsync(string[])"/>
        public async Task<(int ExitCode, string LastLine, string Output)> TestAsync(IReadOnlyDictionary<string, string> environment, params string[] classes)
        {
            var filter = string.Join('|', classes.Select(c => $"FullyQualifiedName~TinySuite.{c}"));
            var results = Path.Combine(Directory, $"results-{Interlocked.Increment(ref _runs)}");
            var result = await Command.RunAsync(Path.Combine(RepositoryRoot.Path, "test.sh"),
                ["--project", Path.Combine(Directory, "TinySuite", "TinySuite.csproj"), "--filter", filter],
                new Dictionary<string, string>(environment) { ["TEST_RESULTS_DIR"] = results, ["TEST_SESSION_TIMEOUT_MS"] = "15000" },
                timeout: TimeSpan.FromMinutes(3));
            return (result.ExitCode, LastLine(result.Stdout), result.Output);
        }

        public void Dispose() => _folder.Dispose();
    }
}
