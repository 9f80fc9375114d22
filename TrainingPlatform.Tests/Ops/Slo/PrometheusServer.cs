namespace TrainingPlatform.Tests.Ops.Slo;

/// <summary>The answer of Prometheus's HTTP API: its status code and the JSON body.</summary>
internal sealed record PrometheusAnswer(HttpStatusCode StatusCode, JsonElement Body)
{
    public bool IsSuccess => StatusCode == HttpStatusCode.OK && Body.GetProperty("status").GetString() == "success";
    public JsonElement Data => Body.GetProperty("data");

    /// <summary>The series of an instant query's vector result.</summary>
    public JsonElement[] Series => Data.GetProperty("result").EnumerateArray().ToArray();
}

/// <summary>A real Prometheus from the machine's binary, on the rendered copy of ops/prometheus.</summary>
internal sealed class PrometheusServer : IAsyncDisposable
{
    private readonly BackgroundProcess _process;
    private readonly HttpClient _client;

    private PrometheusServer(BackgroundProcess process)
    {
        _process = process;
        _client = new HttpClient { BaseAddress = process.BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
    }

    public string Log => _process.Log;
    public Uri BaseAddress => _process.BaseAddress;

    /// <summary>
    /// Starts Prometheus on <paramref name="port"/> (the port the config's self-scrape was rendered with), with
    /// <paramref name="arguments"/> added to the command line.
    /// </summary>
    public static async Task<PrometheusServer> StartAsync(PrometheusConfigCopy config, int port, params string[] arguments)
    {
        var process = await BackgroundProcess.StartAsync(LocalProgram.Prometheus,
            [
                "--config.file=" + config.ConfigFile,
                "--storage.tsdb.path=" + Path.Combine(config.Directory, "data"),
                $"--web.listen-address=127.0.0.1:{port}",
                "--log.level=warn",
                "--enable-feature=exemplar-storage",
                // Alerts that fire before Alertmanager is discovered are sent again after this delay (1 m by default).
                .. config.Clock is null ? Array.Empty<string>() : ["--rules.alert.resend-delay=" + config.Clock.Interval],
                .. arguments,
            ],
            port, "/-/ready");
        return new PrometheusServer(process);
    }

    /// <summary>A page Prometheus serves (a console), as text.</summary>
    public async Task<(HttpStatusCode Status, string Body)> GetPageAsync(string path)
    {
        using var response = await _client.GetAsync(path);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    public Task<PrometheusAnswer> QueryAsync(string expression) =>
        GetAsync("/api/v1/query?query=" + Uri.EscapeDataString(expression));

    public async Task<PrometheusAnswer> GetAsync(string pathAndQuery)
    {
        using var response = await _client.GetAsync(pathAndQuery);
        var body = await response.Content.ReadAsStringAsync();
        using var document = JsonDocument.Parse(body);
        return new PrometheusAnswer(response.StatusCode, document.RootElement.Clone());
    }

    /// <summary>Polls <paramref name="expression"/> until its result satisfies <paramref name="done"/>.</summary>
    public async Task<JsonElement[]> WaitForAsync(string expression, Func<JsonElement[], bool> done, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        JsonElement[] last = [];
        while (DateTime.UtcNow < deadline)
        {
            var answer = await QueryAsync(expression);
            if (answer.IsSuccess)
            {
                last = answer.Series;
                if (done(last))
                {
                    return last;
                }
            }
            await Task.Delay(500);
        }
        throw new TimeoutException(
            $"Waited {timeout.TotalSeconds:0} s for {what} ({expression}); last result: " +
            $"{JsonSerializer.Serialize(last)}\nPrometheus log:\n{Log}");
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _process.DisposeAsync();
    }
}
