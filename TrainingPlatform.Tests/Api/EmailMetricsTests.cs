using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Http;
using TrainingPlatform.Api.Email;

namespace TrainingPlatform.Tests.Api;

/// <summary>
/// <c>emails_sent_total</c> shows every result at 0 from the start: the alerts on abandoned and dropped emails
/// (ops/prometheus/rules/alerts.yml) take the increase, which a series that first appears at 1 would not show.
/// </summary>
public class EmailMetricsTests
{
    [Fact]
    public async Task Every_result_is_exposed_at_zero_before_any_email()
    {
        using var host = new MeteredHost();
        _ = new EmailMetrics(host.Meters);

        var exposed = await ScrapeAsync(host.Metrics);

        foreach (var result in new[] { "sent", "failed", "abandoned", "dropped" })
        {
            Assert.Contains($"{EmailMetrics.SentTotal}{{result=\"{result}\"}} 0", exposed);
        }
    }

    [Fact]
    public async Task A_count_adds_to_its_own_result_only()
    {
        using var host = new MeteredHost();
        var emails = new EmailMetrics(host.Meters);

        emails.Count(EmailResult.Abandoned);

        var exposed = await ScrapeAsync(host.Metrics);
        Assert.Contains($"{EmailMetrics.SentTotal}{{result=\"abandoned\"}} 1", exposed);
        Assert.Contains($"{EmailMetrics.SentTotal}{{result=\"dropped\"}} 0", exposed);
    }

    /// <summary>A host's meter factory and the exporter that puts its meters on /metrics, as ServiceDefaults wires them.</summary>
    private sealed class MeteredHost : IDisposable
    {
        private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();

        public MeteredHost()
        {
            Meters = _services.GetRequiredService<IMeterFactory>();
            Metrics.Export(Meters);
        }

        public ServiceMetrics Metrics { get; } = new();

        public IMeterFactory Meters { get; }

        public void Dispose()
        {
            Metrics.Dispose();
            _services.Dispose();
        }
    }

    private static async Task<string> ScrapeAsync(ServiceMetrics metrics)
    {
        var context = new DefaultHttpContext();
        using var body = new MemoryStream();
        context.Response.Body = body;
        await metrics.WriteAsync(context.Response);
        return Encoding.UTF8.GetString(body.ToArray());
    }
}
