namespace TrainingPlatform.Tests.Stack;

/// <summary>
/// The stack as a person sees it: the AppHost started the way the README says, its dashboard opened in
/// headless Chromium, the resources listed as Running.
/// </summary>
public class DashboardTests
{
    [Fact]
    public async Task The_dashboard_lists_api_postgres_prometheus_and_the_mail_catcher_as_running()
    {
        var root = RepositoryRoot.Path;
        var data = Directory.CreateTempSubdirectory("tp-dash-");
        var dashboard = $"http://127.0.0.1:{FreePort.Next()}";
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment =
            {
                ["ASPNETCORE_URLS"] = dashboard,
                ["ASPNETCORE_ENVIRONMENT"] = "Development",
                ["DOTNET_ENVIRONMENT"] = "Development",
                ["ASPIRE_ALLOW_UNSECURED_TRANSPORT"] = "true",
                ["ASPIRE_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS"] = "true",
                ["ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL"] = $"http://127.0.0.1:{FreePort.Next()}",
                ["ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL"] = $"http://127.0.0.1:{FreePort.Next()}",
                ["Stack__Mode"] = "local",
                ["Stack__DataDirectory"] = data.FullName,
                ["Stack__Ports__Api"] = FreePort.Next().ToString(),
                ["Stack__Ports__Prometheus"] = FreePort.Next().ToString(),
                ["Stack__Ports__Mail"] = FreePort.Next().ToString(),
                ["Stack__Ports__Alertmanager"] = FreePort.Next().ToString(),
            },
        };
        foreach (var arg in new[] { "run", "--project", "TrainingPlatform.AppHost", "--no-build", "--no-launch-profile", "-c", RepositoryRoot.Configuration })
        {
            start.ArgumentList.Add(arg);
        }
        using var appHost = Process.Start(start)!;
        // dotnet run and the AppHost under it never outlive the test host, even a killed one.
        using var watchdog = LocalProcess.Watch(appHost.Id, Environment.ProcessId);
        var output = new System.Text.StringBuilder();
        appHost.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        appHost.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        appHost.BeginOutputReadLine();
        appHost.BeginErrorReadLine();
        try
        {
            await WaitUntilAnswersAsync(dashboard, appHost, output);
            var screenshot = Path.Combine(root, "TestResults", "dashboard.png");
            Directory.CreateDirectory(Path.GetDirectoryName(screenshot)!);
            var result = await Node.RunAsync(Path.Combine(AppContext.BaseDirectory, "Stack", "dashboard-resources.mjs"),
                [dashboard, screenshot, "api", "postgres", "prometheus", "mail"], TimeSpan.FromMinutes(4));

            using var json = JsonDocument.Parse(result.Trim().Split('\n')[^1]);
            var missing = json.RootElement.GetProperty("missing").EnumerateArray().Select(e => e.GetString()).ToArray();
            Assert.True(missing.Length == 0, $"Not shown as Running on the dashboard: {string.Join(", ", missing)}\n{output}");
        }
        finally
        {
            Signals.Terminate(appHost);
            try
            {
                await appHost.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            }
            catch (TimeoutException)
            {
                appHost.Kill(entireProcessTree: true);
            }
            watchdog.Kill(entireProcessTree: true);
        }
    }

    private static async Task WaitUntilAnswersAsync(string url, Process appHost, System.Text.StringBuilder output)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (DateTime.UtcNow < deadline && !appHost.HasExited)
        {
            try
            {
                await client.GetAsync(url);
                return;
            }
            catch (HttpRequestException)
            {
                await Task.Delay(500);
            }
            catch (TaskCanceledException)
            {
                await Task.Delay(500);
            }
        }
        Assert.Fail($"The dashboard never answered at {url}.\n{output}");
    }
}
