using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace TrainingPlatform.Tests.ServiceDefaults;

/// <summary>The access log as it reaches the real console: the JSON line, byte for byte, and a console that cannot keep up.</summary>
// Alone: these tests replace Console.Out, which every other test in the process writes through.
[Collection(RunsAloneCollection.Name)]
public sealed class AccessLogConsoleTests
{
    [Fact]
    public async Task With_the_json_console_formatter_the_record_is_one_machine_readable_line()
    {
        // The real console logger with the formatter chosen by configuration, as Logging__Console__FormatterName=json
        // does in production; its output is captured from Console.Out (lines of other hosts are filtered out by request id).
        var settings = new Dictionary<string, string?>
        {
            ["Logging:Console:FormatterName"] = "json",
            ["Logging:Console:FormatterOptions:IncludeScopes"] = "true",
        };
        using var output = new ConsoleCapture();
        await using var host = await ServiceHost.StartAsync(settings: settings, configure: builder => builder.Logging.AddConsole());
        using var client = host.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/items/5?secret=s3cr3t");
        request.Headers.Add(RequestId.HeaderName, "json-line-1");
        await client.SendAsync(request);
        await host.Logs.WaitForAsync(log => log.Category == "TrainingPlatform.Access");

        var line = await output.WaitForLineAsync("\"Category\":\"TrainingPlatform.Access\"", "json-line-1");
        using var json = JsonDocument.Parse(line);
        var state = json.RootElement.GetProperty("State");
        Assert.Equal("Information", json.RootElement.GetProperty("LogLevel").GetString());
        Assert.Equal("json-line-1", state.GetProperty("request_id").GetString());
        Assert.Equal("/items/5", state.GetProperty("path").GetString());
        Assert.Equal("/items/{id}", state.GetProperty("path_template").GetString());
        Assert.Equal("GET", state.GetProperty("method").GetString());
        Assert.Equal(200, state.GetProperty("status_code").GetInt32());
        Assert.Equal("127.0.0.1", state.GetProperty("client_ip").GetString());
        Assert.True(state.GetProperty("duration_ms").GetDouble() >= 0);
        Assert.DoesNotContain("s3cr3t", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_fast_json_line_is_the_framework_json_formatters_line_byte_for_byte()
    {
        // Production settings: JSON, no scopes. The service writes access records without the framework's formatter;
        // the framework's formatter, given the same record, must produce the same line.
        using var output = new ConsoleCapture();
        await using var host = await ServiceHost.StartAsync(settings: new Dictionary<string, string?> { ["Logging:Console:FormatterName"] = "json" },
            configure: builder => builder.Logging.AddConsole());
        using var client = host.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/items/caf%C3%A9%20%3Cb%3E?x=1");
        request.Headers.Add(RequestId.HeaderName, "json-same-1");
        request.Headers.Add(ServiceHost.UserHeader, "user-\"7\"");
        await client.SendAsync(request);
        var record = Assert.Single(await host.Logs.WaitForAsync(log => log.Category == "TrainingPlatform.Access"));

        var line = await output.WaitForLineAsync("\"Category\":\"TrainingPlatform.Access\"", "json-same-1");

        using var services = new ServiceCollection().AddLogging(logging => logging.AddJsonConsole()).BuildServiceProvider();
        var formatter = services.GetServices<ConsoleFormatter>().Single(candidate => candidate.Name == ConsoleFormatterNames.Json);
        var state = new RecordState(record.State.ToList(), record.Message);
        using var expected = new StringWriter();
        formatter.Write(new LogEntry<RecordState>(record.Level, record.Category, record.EventId, state, null, (s, _) => s.ToString()), null, expected);
        Assert.Equal(expected.ToString().TrimEnd('\r', '\n'), line);
    }

    [Fact]
    public async Task When_the_console_cannot_keep_up_access_records_are_dropped_and_counted_and_requests_do_not_wait()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Logging:Console:FormatterName"] = "json",
            ["Logging:Console:MaxQueueLength"] = "1",
            ["Metrics:Enabled"] = "true",
        };
        using var output = new ConsoleCapture();
        await using var host = await ServiceHost.StartAsync(settings: settings, configure: builder => builder.Logging.AddConsole());
        using var client = host.CreateClient();
        client.Timeout = TimeSpan.FromSeconds(10);
        await output.WaitForLineAsync("Application started", "");

        const int requests = 10;
        output.Stall();
        try
        {
            for (var i = 0; i < requests; i++)
            {
                using var response = await client.GetAsync("/ok");
                Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
            }
            // One line stuck in the console write, one waiting in the queue of one: every other one was dropped.
            // Counted as the line is given up, which may trail the answer: wait for it within a bound.
            await PrometheusText.ScrapeUntilAsync(client, m => m.ValueOrZero(HttpMeasures.AccessLogDroppedTotal) >= requests - 2, TimeSpan.FromSeconds(10));
        }
        finally
        {
            output.Resume();
        }
    }

    /// <summary>A record's state as the framework's formatter sees any structured state: its pairs, and its message as text.</summary>
    private sealed class RecordState(List<KeyValuePair<string, object?>> pairs, string message) : IReadOnlyList<KeyValuePair<string, object?>>
    {
        public KeyValuePair<string, object?> this[int index] => pairs[index];

        public int Count => pairs.Count;

        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => pairs.GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

        public override string ToString() => message;
    }

    /// <summary>
    /// Console.Out replaced by an in-memory writer for the test's lifetime (tests of this class run one at a time),
    /// which can be stalled to play a console that cannot keep up.
    /// </summary>
    private sealed class ConsoleCapture : IDisposable
    {
        private readonly TextWriter _console = Console.Out;
        private readonly StallingWriter _output = new();

        public ConsoleCapture() => Console.SetOut(TextWriter.Synchronized(_output));

        public void Stall() => _output.Open.Reset();

        public void Resume() => _output.Open.Set();

        public async Task<string> WaitForLineAsync(string marker, string requestId)
        {
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < TimeSpan.FromSeconds(10))
            {
                var line = _output.Text().Split('\n').FirstOrDefault(candidate => candidate.Contains(marker, StringComparison.Ordinal)
                    && candidate.Contains(requestId, StringComparison.Ordinal));
                if (line is not null)
                {
                    return line.TrimEnd('\r');
                }
                await Task.Delay(20);
            }
            throw new TimeoutException("No such line on the console within 10 s:\n" + _output.Text());
        }

        public void Dispose()
        {
            Resume();
            Console.SetOut(_console);
        }

        private sealed class StallingWriter : StringWriter
        {
            public ManualResetEventSlim Open { get; } = new(initialState: true);

            public string Text()
            {
                lock (GetStringBuilder())
                {
                    return GetStringBuilder().ToString();
                }
            }

            public override void Write(string? value)
            {
                // Bounded, so a failing test cannot hang the suite.
                Open.Wait(TimeSpan.FromSeconds(30));
                lock (GetStringBuilder())
                {
                    base.Write(value);
                }
            }
        }
    }
}
