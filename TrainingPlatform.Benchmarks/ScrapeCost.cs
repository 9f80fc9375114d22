using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TrainingPlatform.ServiceDefaults;

namespace TrainingPlatform.Benchmarks;

/// <summary>
/// <c>scrape [--series N] [--scrapes N]</c>: a ServiceDefaults host with enough routes that real requests to each
/// route and method create about N live series, then timed scrapes of <c>/metrics</c> over loopback HTTP.
/// </summary>
/// <remarks>
/// path_template is bounded by the routes a service maps, so the only honest way to many series is many routes:
/// each route and method served once adds a histogram (11 buckets, +Inf, _sum, _count) and a counter.
/// </remarks>
internal static class ScrapeCost
{
    private const int SeriesPerRequestKind = 15;
    private static readonly string[] Methods = [HttpMethods.Get, HttpMethods.Post];

    public static async Task<int> RunAsync(string[] args)
    {
        var target = Arguments.IntOf(args, "--series", 5000);
        var scrapes = Arguments.IntOf(args, "--scrapes", 50);
        var routes = (int)Math.Ceiling(target / (double)(SeriesPerRequestKind * Methods.Length));

        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Configuration["METRICS_ENABLED"] = "true";
        // The access log would print a line per seeding request; its cost is measured elsewhere.
        builder.Logging.ClearProviders();
        builder.AddServiceDefaults();
        var app = builder.Build();
        app.UseServiceDefaults();
        app.MapDefaultEndpoints();
        for (var route = 0; route < routes; route++)
        {
            app.MapMethods($"/items{route}/{{id}}", Methods, () => Results.NoContent());
        }
        await app.StartAsync();
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
            for (var route = 0; route < routes; route++)
            {
                foreach (var method in Methods)
                {
                    using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), $"/items{route}/1"));
                    response.EnsureSuccessStatusCode();
                }
            }

            var body = Array.Empty<byte>();
            for (var warmUp = 0; warmUp < 5; warmUp++)
            {
                body = await client.GetByteArrayAsync(MetricsEndpoint.Path);
            }
            var elapsed = new double[scrapes];
            for (var scrape = 0; scrape < scrapes; scrape++)
            {
                var started = Stopwatch.GetTimestamp();
                body = await client.GetByteArrayAsync(MetricsEndpoint.Path);
                elapsed[scrape] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }
            Array.Sort(elapsed);

            var series = System.Text.Encoding.UTF8.GetString(body).Split('\n').Count(line => line.Length > 0 && line[0] != '#');
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"summary scrape: {series} series, {body.Length / 1024.0:0} KiB, p50 {Percentile(elapsed, 50):0.00} ms, p95 {Percentile(elapsed, 95):0.00} ms, max {elapsed[^1]:0.00} ms over {scrapes} scrapes"));
            return 0;
        }
        finally
        {
            await app.StopAsync();
        }
    }

    private static double Percentile(double[] sorted, int percent) =>
        sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(percent / 100.0 * sorted.Length) - 1)];
}
