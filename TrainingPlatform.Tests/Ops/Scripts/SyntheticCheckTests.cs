namespace TrainingPlatform.Tests.Ops.Scripts;

/// <summary>ops/scripts/synthetic-check.sh against the real API, healthy and broken, and against a misbehaving host.</summary>
public class SyntheticCheckTests
{
    private static readonly string[] Bounded = ["--timeout", "5", "--retries", "0"];

    [Fact]
    public async Task A_healthy_api_passes_every_check()
    {
        await using var api = await ApiServer.StartAsync();

        var check = await CheckAsync(api.BaseAddress.ToString(), "--expect-metrics", "on");

        Assert.True(check.ExitCode == 0, check.ToString());
        foreach (var name in new[] { "healthz", "metrics", "openapi", "unknown-path", "request-id" })
        {
            Assert.Contains($"PASS {name}: ", check.Stdout);
        }
        Assert.Contains("5 of 5 checks passed", check.Stdout);
    }

    [Fact]
    public async Task An_api_whose_database_is_down_fails_the_health_check()
    {
        await using var postgres = await PostgresServer.StartNewAsync();
        await using var api = await ApiServer.StartAsync(postgres: postgres);
        await postgres.StopAsync();

        var check = await CheckAsync(api.BaseAddress.ToString(), "--expect-metrics", "on");

        Assert.Equal(1, check.ExitCode);
        Assert.Contains("FAIL healthz: status 503 from /healthz (expected 200)", check.Stdout);
    }

    [Fact]
    public async Task Metrics_switched_off_where_they_are_expected_on_fail_the_metrics_check()
    {
        await using var api = await ApiServer.StartAsync(new Dictionary<string, string?> { ["Metrics:Enabled"] = "false" });

        var expectedOn = await CheckAsync(api.BaseAddress.ToString(), "--expect-metrics", "on");
        var expectedOff = await CheckAsync(api.BaseAddress.ToString(), "--expect-metrics", "off");

        Assert.Equal(1, expectedOn.ExitCode);
        Assert.Contains("FAIL metrics: gate expected on but /metrics answered 404 (expected 200)", expectedOn.Stdout);
        Assert.Contains("PASS metrics: gate off: /metrics answers 404", expectedOff.Stdout);
    }

    [Fact]
    public async Task A_host_answering_bare_404s_fails_the_problem_body_and_request_id_checks()
    {
        await using var host = new PlainNotFoundServer();

        var check = await CheckAsync(host.BaseAddress, "--json");

        Assert.Equal(1, check.ExitCode);
        using var report = JsonDocument.Parse(check.Stdout);
        Assert.False(report.RootElement.GetProperty("passed").GetBoolean());
        var checks = report.RootElement.GetProperty("checks").EnumerateArray().ToDictionary(
            c => c.GetProperty("name").GetString()!,
            c => (Passed: c.GetProperty("passed").GetBoolean(), Reason: c.GetProperty("reason").GetString()!));
        Assert.True(checks["healthz"].Passed);
        Assert.False(checks["unknown-path"].Passed);
        Assert.Contains("has content type 'text/plain' (expected application/problem+json)", checks["unknown-path"].Reason);
        Assert.False(checks["request-id"].Passed);
        Assert.StartsWith("no X-Request-ID on /healthz", checks["request-id"].Reason);
    }

    [Fact]
    public async Task A_service_that_never_answers_fails_within_the_bounded_retries()
    {
        var unreachable = $"http://127.0.0.1:{FreePort.Next()}";

        var check = await Command.RunScriptAsync("synthetic-check.sh", [unreachable, "--timeout", "1", "--retries", "1", "--retry-delay", "0"]);

        Assert.Equal(1, check.ExitCode);
        Assert.Contains("FAIL healthz: no answer from /healthz after 2 attempt(s)", check.Stdout);
        Assert.Contains("0 of 5 checks passed", check.Stdout);
    }

    private static Task<CommandResult> CheckAsync(string baseUrl, params string[] arguments) =>
        Command.RunScriptAsync("synthetic-check.sh", [baseUrl, .. Bounded, .. arguments]);
}
