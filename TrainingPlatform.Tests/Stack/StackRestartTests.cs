using System.Globalization;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;

namespace TrainingPlatform.Tests.Stack;

/// <summary>
/// The local stack stopped and started again on the same data directory keeps what monitoring needs to remember:
/// Prometheus's samples (the SLO windows and the budget the release gate reads) for at least 35 days, and
/// Alertmanager's silences. Two real AppHost starts, about a minute each.
/// </summary>
[LongRunning(120)]
public class StackRestartTests
{
    private const string Sample = "up{job=\"services\"}";

    [Fact]
    public async Task A_restarted_stack_keeps_its_prometheus_history_for_35_days_and_an_alertmanager_silence()
    {
        var data = Directory.CreateTempSubdirectory("tp-restart-");
        try
        {
            double sampledAt;
            string silence;
            await using (var first = await StackFixture.StartAsync(data.FullName))
            {
                using var prometheus = first.CreateHttpClient("prometheus", "http");
                Assert.True(await RetentionDaysAsync(prometheus) >= 35, "Prometheus keeps less than the 30-day SLO window needs");
                // The timestamp of a sample Prometheus has ingested from the API's own scrape.
                sampledAt = await Wait.ForAsync(() => SampleTimestampAsync(prometheus, at: null), t => t is not null,
                    TimeSpan.FromSeconds(90), _ => $"no sample of {Sample}") ?? 0;
                await first.ResourceNotifications.WaitForResourceHealthyAsync("alertmanager", StackFixture.Timeout(60));
                using var alertmanager = first.CreateHttpClient("alertmanager", "http");
                silence = await CreateSilenceAsync(alertmanager);
                // Alertmanager writes its silences to disk only every 15 minutes and when it stops on SIGTERM; the
                // AppHost's teardown on a loaded machine once ended it before that write (the silence was gone, a 404).
                // Stopped first through the dashboard's Stop, as an operator would, it writes them.
                var commands = first.Services.GetRequiredService<ResourceCommandService>();
                var stopped = await commands.ExecuteCommandAsync("alertmanager", KnownResourceCommands.StopCommand, StackFixture.Timeout(60));
                Assert.True(stopped.Success, stopped.Message);
                await first.ResourceNotifications.WaitForResourceAsync("alertmanager", KnownResourceStates.TerminalStates, StackFixture.Timeout(60));
            }
            // The next stack opens the same files: the first one's servers must have let go of them (Prometheus
            // removes its TSDB lock file on a clean shutdown, PostgreSQL its pid file).
            foreach (var held in new[] { Path.Combine("prometheus-data", "lock"), Path.Combine("postgres", "data", "postmaster.pid") })
            {
                await Wait.UntilAsync(() => !File.Exists(Path.Combine(data.FullName, held)), TimeSpan.FromSeconds(60), $"{held} still held after the stack stopped");
            }

            await using var second = await StackFixture.StartAsync(data.FullName);

            using (var prometheus = second.CreateHttpClient("prometheus", "http"))
            {
                Assert.Equal(sampledAt, await SampleTimestampAsync(prometheus, at: sampledAt));
                Assert.True(await RetentionDaysAsync(prometheus) >= 35);
            }
            await second.ResourceNotifications.WaitForResourceHealthyAsync("alertmanager", StackFixture.Timeout(60));
            using (var alertmanager = second.CreateHttpClient("alertmanager", "http"))
            {
                using var kept = JsonDocument.Parse(await alertmanager.GetStringAsync($"/api/v2/silence/{silence}", StackFixture.Timeout(10)));
                Assert.Equal("active", kept.RootElement.GetProperty("status").GetProperty("state").GetString());
                Assert.Equal("kept across a restart", kept.RootElement.GetProperty("comment").GetString());
            }
        }
        finally
        {
            try
            {
                data.Delete(recursive: true);
            }
            catch (IOException)
            {
                // Postgres may still be flushing; a leftover temp directory is harmless.
            }
        }
    }

    /// <summary>The retention the running Prometheus reports (<c>/api/v1/status/flags</c>), in days.</summary>
    private static async Task<int> RetentionDaysAsync(HttpClient prometheus)
    {
        using var flags = JsonDocument.Parse(await prometheus.GetStringAsync("/api/v1/status/flags", StackFixture.Timeout(10)));
        return ManifestTests.Days(flags.RootElement.GetProperty("data").GetProperty("storage.tsdb.retention.time").GetString()!);
    }

    /// <summary>The timestamp of the latest <see cref="Sample"/> at <paramref name="at"/> (now when null), or null without one.</summary>
    private static async Task<double?> SampleTimestampAsync(HttpClient prometheus, double? at)
    {
        var query = $"/api/v1/query?query={Uri.EscapeDataString($"timestamp({Sample})")}"
            + (at is null ? "" : $"&time={at.Value.ToString("R", CultureInfo.InvariantCulture)}");
        using var answer = JsonDocument.Parse(await prometheus.GetStringAsync(query, StackFixture.Timeout(10)));
        var result = answer.RootElement.GetProperty("data").GetProperty("result");
        return result.GetArrayLength() == 0
            ? null
            : double.Parse(result[0].GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture);
    }

    /// <summary>Silences the Watchdog for two hours through Alertmanager's API v2, as the UI's "New silence" does; returns its id.</summary>
    private static async Task<string> CreateSilenceAsync(HttpClient alertmanager)
    {
        var now = DateTimeOffset.UtcNow;
        var response = await alertmanager.PostAsJsonAsync("/api/v2/silences", new
        {
            matchers = new[] { new { name = "alertname", value = "Watchdog", isRegex = false, isEqual = true } },
            startsAt = now,
            endsAt = now.AddHours(2),
            createdBy = nameof(StackRestartTests),
            comment = "kept across a restart",
        }, StackFixture.Timeout(10));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        using var created = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return created.RootElement.GetProperty("silenceID").GetString()!;
    }
}
