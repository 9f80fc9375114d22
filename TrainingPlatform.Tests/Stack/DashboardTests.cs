using System.Text.RegularExpressions;

namespace TrainingPlatform.Tests.Stack;

/// <summary>
/// The stack as a newcomer sees it: the AppHost started with its launch profile's settings (as <c>./run.sh</c> does),
/// its dashboard opened in headless Chromium, the resources Running, no banner on the first page, and every link of
/// every resource opening what its label promises. One AppHost and one browser run for the class.
/// </summary>
[LongRunning(50)]
public class DashboardTests(DashboardTests.Dashboard dashboard) : IClassFixture<DashboardTests.Dashboard>
{
    /// <summary>
    /// What the page behind a link must show, by the link's label (first matching row wins). A link no row matches
    /// fails: a new link gets its row here. Each row must match some link, so a promised page that disappears fails too.
    /// </summary>
    private static readonly (string Label, string[] Shows)[] Pages =
    [
        // The SLO page (Prometheus console): every SLO by name.
        ("SLO", SloNames()),
        // Alertmanager's own UI, listing the always-firing Watchdog that Prometheus sent it.
        ("^Alertmanager", ["Silences", "Receiver", "Watchdog"]),
        ("^Caught emails", ["Messages", "Sessions", "SMTP server listening"]),
        ("^API reference", ["TrainingPlatform.Api", "/api/v1/auth/register"]),
        ("^Prometheus", ["Alerts", "Graph", "Status"]),
        // The probe of the API's health through the ingress, run at least once.
        ("^Blackbox exporter", ["Recent Probes", "/healthz"]),
        ("^Metrics", ["# TYPE http_request_duration_seconds"]),
        ("^PostgreSQL metrics", ["pg_stat_archiver_archived_count", "pg_up 1"]),
        ("^Health$", ["\"status\":\"Healthy\""]),
    ];

    /// <summary>Every long-running resource of the local stack; their links are read once all of them run.</summary>
    private static readonly string[] Services = ["api", "postgres", "postgres-exporter", "cache-server", "ingress", "backups", "prometheus", "blackbox", "alertmanager", "mail"];

    [Fact]
    public void The_dashboard_lists_every_service_of_the_stack_as_running()
    {
        var missing = dashboard.Page.GetProperty("missing").EnumerateArray().Select(e => e.GetString()).ToArray();
        Assert.True(missing.Length == 0, $"Not shown as Running on the dashboard: {string.Join(", ", missing)}\n{dashboard.Output}");
    }

    [Fact]
    public void The_first_page_shows_no_error_or_warning_banner()
    {
        var banners = dashboard.Page.GetProperty("banners").EnumerateArray().Select(e => e.GetString()).ToArray();
        Assert.True(banners.Length == 0, $"Banners on the dashboard's first page:\n{string.Join("\n---\n", banners)}");
    }

    [Fact]
    public void Every_link_of_every_resource_opens_the_page_its_label_promises()
    {
        var links = dashboard.Page.GetProperty("links").EnumerateArray().Select(link => new
        {
            Resource = link.GetProperty("resource").GetString(),
            Label = link.GetProperty("label").GetString()!,
            Href = link.GetProperty("href").GetString(),
            Status = link.GetProperty("status").GetInt32(),
            Absent = link.GetProperty("absent").EnumerateArray().Select(e => e.GetString()).ToArray(),
            Text = link.GetProperty("text").GetString(),
        }).ToArray();

        var failures = links.Where(link => link.Absent.Length > 0 || link.Status is < 200 or >= 400)
            .Select(link => $"{link.Resource} \"{link.Label}\" {link.Href}: HTTP {link.Status}, not shown: {string.Join(" | ", link.Absent)}\n  page: {link.Text}")
            .Concat(Pages.Where(row => !links.Any(link => Regex.IsMatch(link.Label, row.Label)))
                .Select(row => $"no link labelled /{row.Label}/ on the dashboard"))
            .ToArray();
        Assert.True(failures.Length == 0, string.Join("\n", failures));
    }

    /// <summary>The SLOs the recording rules compute (their <c>slo</c> label).</summary>
    private static string[] SloNames() =>
        Directory.GetFiles(RepositoryRoot.Ops("prometheus", "rules"), "*.yml")
            .SelectMany(file => Regex.Matches(File.ReadAllText(file), @"^\s+slo: ""?([\w-]+)""?\s*$", RegexOptions.Multiline))
            .Select(match => match.Groups[1].Value)
            .Distinct()
            .ToArray();

    /// <summary>
    /// The AppHost with the environment of its launch profile (TrainingPlatform.AppHost/Properties/launchSettings.json),
    /// on free ports and a throwaway data directory, and what the browser found on its dashboard.
    /// </summary>
    public sealed class Dashboard : IAsyncLifetime
    {
        private readonly DirectoryInfo _data = Directory.CreateTempSubdirectory("tp-dash-");
        private readonly System.Text.StringBuilder _output = new();
        private Process? _appHost;
        private Process? _watchdog;

        public JsonElement Page { get; private set; }

        public string Output
        {
            get
            {
                lock (_output)
                {
                    return _output.ToString();
                }
            }
        }

        public async Task InitializeAsync()
        {
            var root = RepositoryRoot.Path;
            var url = $"http://127.0.0.1:{FreePort.Next()}";
            var start = new ProcessStartInfo("dotnet") { WorkingDirectory = root, RedirectStandardOutput = true, RedirectStandardError = true };
            using (var launchSettings = JsonDocument.Parse(File.ReadAllText(Path.Combine(root, "TrainingPlatform.AppHost", "Properties", "launchSettings.json"))))
            {
                foreach (var variable in launchSettings.RootElement.GetProperty("profiles").GetProperty("http").GetProperty("environmentVariables").EnumerateObject())
                {
                    start.Environment[variable.Name] = variable.Value.GetString();
                }
            }
            // The profile's fixed ports would collide with a running ./run.sh or another test: free ones instead.
            start.Environment["ASPNETCORE_URLS"] = url;
            start.Environment["ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL"] = $"http://127.0.0.1:{FreePort.Next()}";
            start.Environment["ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL"] = $"http://127.0.0.1:{FreePort.Next()}";
            // Replicas inherit the AppHost's environment: no start-up warm-up, as on every test stack (StackFixture); it
            // cost this class's replica about 8 CPU-s, and no dashboard case measures a replica's first seconds.
            start.Environment[TrainingPlatform.Api.Http.WarmUp.CallsKey.Replace(":", "__", StringComparison.Ordinal)] = "0";
            start.Environment[ApiProcess.CallCountingDelay.Key] = ApiProcess.CallCountingDelay.Value;
            start.Environment["Stack__Mode"] = "local";
            start.Environment["Stack__DataDirectory"] = _data.FullName;
            foreach (var port in new[] { "Api", "Prometheus", "Mail", "Alertmanager" })
            {
                start.Environment[$"Stack__Ports__{port}"] = FreePort.Next().ToString();
            }
            foreach (var arg in new[] { "run", "--project", "TrainingPlatform.AppHost", "--no-build", "--no-launch-profile", "-c", RepositoryRoot.Configuration })
            {
                start.ArgumentList.Add(arg);
            }
            _appHost = Process.Start(start)!;
            // dotnet run and the AppHost under it never outlive the test host, even a killed one.
            _watchdog = LocalProcess.Watch(_appHost.Id, Environment.ProcessId);
            _appHost.OutputDataReceived += (_, e) => { lock (_output) { _output.AppendLine(e.Data); } };
            _appHost.ErrorDataReceived += (_, e) => { lock (_output) { _output.AppendLine(e.Data); } };
            _appHost.BeginOutputReadLine();
            _appHost.BeginErrorReadLine();

            await WaitUntilAnswersAsync(url);
            var screenshot = Path.Combine(root, "TestResults", "dashboard.png");
            Directory.CreateDirectory(Path.GetDirectoryName(screenshot)!);
            var expectations = Path.Combine(_data.FullName, "pages.json");
            await File.WriteAllTextAsync(expectations, JsonSerializer.Serialize(Pages.Select(row => new { label = row.Label, expect = row.Shows })));
            var result = await Node.RunAsync(Path.Combine(AppContext.BaseDirectory, "Stack", "dashboard.mjs"),
                [url, screenshot, expectations, .. Services], TimeSpan.FromMinutes(8));
            using var json = JsonDocument.Parse(result.Trim().Split('\n')[^1]);
            Page = json.RootElement.Clone();
        }

        public async Task DisposeAsync()
        {
            if (_appHost is not null)
            {
                Signals.Terminate(_appHost);
                try
                {
                    await _appHost.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
                }
                catch (TimeoutException)
                {
                    _appHost.Kill(entireProcessTree: true);
                }
                _appHost.Dispose();
            }
            _watchdog?.Kill(entireProcessTree: true);
            _watchdog?.Dispose();
        }

        // The dashboard answers once the AppHost has built and started it; a dead AppHost fails at once.
        private async Task WaitUntilAnswersAsync(string url)
        {
            using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            await Wait.UntilAsync(async () =>
            {
                Assert.False(_appHost!.HasExited, $"The AppHost exited before its dashboard answered at {url}.\n{Output}");
                try
                {
                    await client.GetAsync(url);
                    return true;
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    return false;
                }
            }, TimeSpan.FromMinutes(2), $"the dashboard answering at {url}");
        }
    }
}
