using System.Globalization;
using BenchmarkDotNet.Running;

namespace TrainingPlatform.Benchmarks;

/// <summary>
/// <c>session --database CONNECTION_STRING [--quick] [--artifacts DIR]</c>: runs <see cref="SessionCheckBenchmarks"/>
/// against that database (migrated to the API's schema first) and prints one summary line: ns and bytes per request.
/// </summary>
internal static class SessionCheckCost
{
    public static int Run(string[] args)
    {
        if (Arguments.ValueOf(args, "--database") is not { Length: > 0 } database)
        {
            Console.Error.WriteLine("error: session needs --database CONNECTION_STRING");
            return 2;
        }
        SessionCheckBenchmarks.ConnectionString = database;
        var summary = BenchmarkRunner.Run<SessionCheckBenchmarks>(MiddlewareCost.Config(args, "tp-bench-session"));
        var figures = summary.Reports.Select(report =>
        {
            var name = report.BenchmarkCase.Descriptor.WorkloadMethodDisplayInfo.Trim('\'');
            var bytes = report.GcStats.GetBytesAllocatedPerOperation(report.BenchmarkCase) ?? 0;
            return report.ResultStatistics is { } statistics
                ? string.Create(CultureInfo.InvariantCulture, $"{name} {statistics.Median:0} ns {bytes} B")
                : name + " failed";
        });
        Console.WriteLine("summary session (ns and bytes per request): " + string.Join(" | ", figures));
        return summary.Reports.Length > 0 && summary.Reports.All(report => report.Success) ? 0 : 1;
    }
}
