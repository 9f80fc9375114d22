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
        var metrics = new ServiceMetrics();
        _ = new EmailMetrics(metrics);

        var exposed = await ScrapeAsync(metrics);

        foreach (var result in new[] { "sent", "failed", "abandoned", "dropped" })
        {
            Assert.Contains($"{EmailMetrics.SentTotal}{{result=\"{result}\"}} 0", exposed);
        }
    }

    [Fact]
    public async Task A_count_adds_to_its_own_result_only()
    {
        var metrics = new ServiceMetrics();
        var emails = new EmailMetrics(metrics);

        emails.Count(EmailResult.Abandoned);

        var exposed = await ScrapeAsync(metrics);
        Assert.Contains($"{EmailMetrics.SentTotal}{{result=\"abandoned\"}} 1", exposed);
        Assert.Contains($"{EmailMetrics.SentTotal}{{result=\"dropped\"}} 0", exposed);
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
