using System.Globalization;
using TrainingPlatform.Slo;
using TrainingPlatform.Tests.Ops.Slo;

namespace TrainingPlatform.Tests.Ops.Alerting;

/// <summary>
/// Past SLO traffic written into a Prometheus data directory with <c>promtool tsdb create-blocks-from openmetrics</c>:
/// the per-service 5-minute bad and valid rates the recording rules keep (slo:sli_bad:rate5m, slo:sli_valid:rate5m),
/// and the counts of the low-traffic correction (slo:sli_valid:increase1h, ...), for every SLO of ops/slo/slos.yaml,
/// one sample a minute up to a few seconds ago. Prometheus started on that directory computes every window and
/// budget from them with the repository's rules, as if it had watched the service all along.
/// </summary>
internal static class SloHistory
{
    public const double RequestsPerSecond = 10;
    private static readonly TimeSpan Step = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Writes <paramref name="span"/> of history for <paramref name="service"/>: the error ratio of each SLO at a
    /// time is <paramref name="errorRatio"/>(slo, time before now).
    /// </summary>
    public static async Task BackfillAsync(string dataDirectory, string service, TimeSpan span, Func<string, TimeSpan, double> errorRatio)
    {
        var now = DateTimeOffset.UtcNow.AddSeconds(-5);
        var text = new StringBuilder();
        var spec = OpsFiles.SloSpec;
        // The recorded counts of the low-traffic correction: a steady rate fills each window.
        var counts = RuleFiles.LowTrafficWindows(spec).ToDictionary(Promql.RequestsRecord, window => RequestsPerSecond * Promql.Seconds(window));
        foreach (var metric in new[] { Promql.BadRate, Promql.ValidRate }.Concat(counts.Keys))
        {
            text.Append("# TYPE ").Append(metric).Append(" gauge\n");
            foreach (var slo in spec.Objectives.Select(o => o.Name))
            {
                for (var ago = span; ago >= TimeSpan.Zero; ago -= Step)
                {
                    var value = metric == Promql.BadRate ? RequestsPerSecond * errorRatio(slo, ago) : counts.GetValueOrDefault(metric, RequestsPerSecond);
                    text.Append(CultureInfo.InvariantCulture,
                        $"{metric}{{service=\"{service}\",slo=\"{slo}\"}} {value} {(now - ago).ToUnixTimeSeconds()}\n");
                }
            }
        }
        text.Append("# EOF\n");

        var input = Path.Combine(Path.GetTempPath(), $"tp-slo-history-{Guid.NewGuid():N}.om");
        await File.WriteAllTextAsync(input, text.ToString());
        try
        {
            var result = await Promtool.RunAsync(
                ["tsdb", "create-blocks-from", "openmetrics", input, dataDirectory]);
            Assert.True(result.ExitCode == 0, result.ToString());
        }
        finally
        {
            File.Delete(input);
        }
    }
}
