using System.Globalization;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Perfolizer.Horology;

namespace TrainingPlatform.Benchmarks;

/// <summary>
/// <c>middleware [--quick] [--artifacts DIR]</c>: runs <see cref="MiddlewareBenchmarks"/> in this process (Release,
/// Server GC, as the hosts run) and prints one summary line: ns and bytes per request for each variant, with the
/// caller's request id and with one the middleware makes.
/// </summary>
internal static class MiddlewareCost
{
    public static int Run(string[] args)
    {
        var summary = BenchmarkRunner.Run<MiddlewareBenchmarks>(Config(args, "tp-bench-middleware"));
        Console.WriteLine(SummaryLine(summary));
        return summary.Reports.Length > 0 && summary.Reports.All(report => report.Success) ? 0 : 1;
    }

    /// <summary>In process (Release, Server GC, as the hosts run); <c>--quick</c> for a short CI-sized job.</summary>
    public static IConfig Config(string[] args, string artifactsFolder)
    {
        var job = (args.Contains("--quick")
                ? Job.Default.WithWarmupCount(2).WithIterationCount(5).WithIterationTime(TimeInterval.FromMilliseconds(100))
                : Job.Default.WithWarmupCount(3).WithIterationCount(15))
            .WithLaunchCount(1)
            .WithToolchain(InProcessEmitToolchain.Instance);
        return ManualConfig.Create(DefaultConfig.Instance)
            .AddJob(job)
            .WithArtifactsPath(Arguments.ValueOf(args, "--artifacts") ?? Path.Combine(Path.GetTempPath(), artifactsFolder));
    }

    private static string SummaryLine(Summary summary)
    {
        var variants = summary.Reports
            .GroupBy(report => report.BenchmarkCase.Descriptor.WorkloadMethod.Name)
            .Select(group =>
            {
                var name = group.First().BenchmarkCase.Descriptor.WorkloadMethodDisplayInfo.Trim('\'');
                return $"{name} {Figure(group, incoming: true)} / {Figure(group, incoming: false)}";
            });
        return "summary middleware (ns and bytes per request; caller's id / generated id): " + string.Join(" | ", variants);
    }

    private static string Figure(IEnumerable<BenchmarkReport> reports, bool incoming)
    {
        var report = reports.FirstOrDefault(r => Equals(r.BenchmarkCase.Parameters[nameof(MiddlewareBenchmarks.IncomingRequestId)], incoming));
        if (report?.ResultStatistics is not { } statistics)
        {
            return "failed";
        }
        var bytes = report.GcStats.GetBytesAllocatedPerOperation(report.BenchmarkCase) ?? 0;
        return string.Create(CultureInfo.InvariantCulture, $"{statistics.Median:0.#} ns {bytes} B");
    }
}
