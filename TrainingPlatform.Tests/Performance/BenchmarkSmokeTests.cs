using System.Globalization;
using TrainingPlatform.Tests.Ops.Scripts;

namespace TrainingPlatform.Tests.Performance;

/// <summary>
/// The quick mode's fastest measurements really run, in one run on the build ./test.sh made: the scrape cost, the
/// pipeline comparison under wrk and the API's memory under slow downloads each print their summary line. The
/// figures themselves are not judged (a shared machine makes them noisy); the document quotes a full run.
/// </summary>
[LongRunning(115)]
public sealed partial class BenchmarkSmokeTests
{
    [Fact]
    public async Task Quick_scrape_pipeline_and_memory_measurements_print_their_summary_lines()
    {
        Assert.True(File.Exists("/usr/bin/wrk"), "wrk not found: apt-get install wrk (or ops/scripts/prerequisites.sh test)");

        // One run on the build ./test.sh made: the smoke test measures, it does not build.
        var result = await RunBenchmarkAsync("scrape,pipeline,memory");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.DoesNotContain("building Release", result.Stderr);
        var scrape = ScrapeSummary().Match(result.Stdout);
        Assert.True(scrape.Success, result.ToString());
        Assert.InRange(int.Parse(scrape.Groups["series"].Value, CultureInfo.InvariantCulture), 5000, 5500);
        var pipeline = result.Stdout.Split('\n').SingleOrDefault(line => line.StartsWith("summary pipeline", StringComparison.Ordinal));
        Assert.True(pipeline is not null, result.ToString());
        foreach (var variant in new[] { "bare", "promnet", "defaults" })
        {
            Assert.Matches($@"[:|] {variant} \d+ rps [\d.]+x, [\d.]+ us", pipeline);
        }
        var memory = MemorySummary().Match(result.Stdout);
        Assert.True(memory.Success, result.ToString());
        Assert.Equal("20", memory.Groups["readers"].Value);
        // A sanity bound only, far from any real figure (ops/docs/performance.md quotes those): a plausible number came out.
        Assert.InRange(int.Parse(memory.Groups["growth"].Value, CultureInfo.InvariantCulture), -1024, 2048);
    }

    [Fact]
    public async Task Quick_learner_measurement_prints_every_path_against_pgbench_and_the_cold_start_curve()
    {
        Assert.True(File.Exists("/usr/bin/pgbench"), "pgbench not found: apt-get install postgresql (or ops/scripts/prerequisites.sh test)");

        var result = await RunBenchmarkAsync("learner");

        Assert.True(result.ExitCode == 0, result.ToString());
        var summary = result.Stdout.Split('\n').SingleOrDefault(line => line.StartsWith("summary learner", StringComparison.Ordinal));
        Assert.True(summary is not null, result.ToString());
        // Every signed-in path and write answered without an error, with what it cost the API and the database in CPU
        // (the figures themselves are not judged).
        foreach (var target in new[] { "me", "course", "lessons", "enrollments", "lessons-c128", "enrollments-c128", "unauthorized", "enroll", "complete" })
        {
            AssertPrints($@"[:|] {target} \d+ rps [\d.]+x p95 [\d.]+ ms xacts [\d.]+ cpu \d+\+\d+ us errors 0 ", summary, result);
        }
        AssertPrints(@"\| pgbench-simple \d+ rps 1\.00x p95 [\d.]+ ms xacts [\d.]+ cpu \d+\+[1-9]\d* us", summary, result);
        // The quick mode's cold-start curve: its first 5 seconds, what the first-5-s ratio reads, and its start to ready.
        AssertPrints(@"\| cold first-5s [\d.]+x curve( \d+){5} ready [\d.]+ s$", summary, result);
    }

    // The whole line and the run's progress on failure (Assert.Matches shows only the start of a long line).
    private static void AssertPrints(string pattern, string summary, CommandResult result) =>
        Assert.True(Regex.IsMatch(summary, pattern), $"/{pattern}/ not in:\n{summary}\n\n{result}");

    /// <summary>One quick run of the named measurements on the build ./test.sh made.</summary>
    private static Task<CommandResult> RunBenchmarkAsync(string measurements) =>
        Command.RunAsync(RepositoryRoot.Ops("bench", "run.sh"), ["--quick", "--no-build", "--only", measurements], SmokeSettings,
            timeout: TimeSpan.FromMinutes(8));

    // The shortest runs, no warm-up runs (about 6 s of both cores), and the API without its start-up warm-up
    // (WarmUpTests prove that; here it cost each API start about 5 s of both cores): the smoke proves every
    // measurement runs and prints, not its figures.
    private static readonly Dictionary<string, string> SmokeSettings = new()
    {
        ["BENCH_SECONDS"] = "1",
        ["BENCH_WARM_SECONDS"] = "0",
        ["BENCH_API_ENV"] = $"{TrainingPlatform.Api.Http.WarmUp.CallsKey.Replace(":", "__", StringComparison.Ordinal)}=0",
    };

    [GeneratedRegex(@"^summary memory \((?<readers>\d+) readers .*: RSS before \d+ MB, peak \d+ MB, growth (?<growth>-?\d+) MB", RegexOptions.Multiline)]
    private static partial Regex MemorySummary();

    [GeneratedRegex(@"^summary scrape: (?<series>\d+) series, \d+ KiB, p50 [\d.]+ ms", RegexOptions.Multiline)]
    private static partial Regex ScrapeSummary();
}
