using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace TrainingPlatform.Tests.ServiceDefaults;

// Alone: some of these tests replace Console.Out, which every other test in the process writes through.
[Collection(RunsAloneCollection.Name)]
public sealed class AccessLogTests
{
    [Fact]
    public async Task One_record_per_request_with_every_field_and_no_query_string()
    {
        await using var host = await ServiceHost.StartAsync();
        using var client = host.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/items/42?password=hunter2&token=abc");
        request.Headers.Add(RequestId.HeaderName, "access-fields-1");
        request.Headers.Add(ServiceHost.UserHeader, "user-42");

        using var response = await client.SendAsync(request);

        var record = Assert.Single(await host.Logs.WaitForAsync(log => log.Category == "TrainingPlatform.Access"));
        Assert.Equal(LogLevel.Information, record.Level);
        Assert.Equal("Request", record.EventId.Name);
        Assert.Equal("access-fields-1", record["request_id"]);
        Assert.Matches("^[0-9a-f]{32}$", (string)record["trace_id"]!);
        Assert.Equal("GET", record["method"]);
        Assert.Equal("/items/42", record["path"]);
        Assert.Equal("/items/{id}", record["path_template"]);
        Assert.Equal(200, record["status_code"]);
        Assert.Equal("user-42", record["user_id"]);
        Assert.Equal("127.0.0.1", record["client_ip"]);
        Assert.True((double)record["duration_ms"]! >= 0);
        Assert.DoesNotContain(host.Logs.Records, log => log.Message.Contains("hunter2", StringComparison.Ordinal)
            || log.State.Values.Any(value => value?.ToString()?.Contains("hunter2", StringComparison.Ordinal) == true));
    }

    [Fact]
    public async Task An_anonymous_request_has_no_user_id()
    {
        await using var host = await ServiceHost.StartAsync();
        using var client = host.CreateClient();

        await client.GetAsync("/ok");

        var record = Assert.Single(await host.Logs.WaitForAsync(log => log.Category == "TrainingPlatform.Access"));
        Assert.Null(record["user_id"]);
    }

    [Fact]
    public async Task A_path_with_line_breaks_is_logged_on_one_line()
    {
        await using var host = await ServiceHost.StartAsync();
        using var client = host.CreateClient();

        await client.GetAsync("/ok%0D%0AFAKE%20ENTRY");

        var record = Assert.Single(await host.Logs.WaitForAsync(log => log.Category == "TrainingPlatform.Access"));
        Assert.DoesNotContain('\n', record.Message);
        Assert.DoesNotContain('\r', record.Message);
    }

    [Fact]
    public async Task A_path_cannot_plant_a_field_in_the_message_text()
    {
        await using var host = await ServiceHost.StartAsync();
        using var client = host.CreateClient();

        await client.GetAsync("/ok%20401%20user_id=1%20client_ip=6.6.6.6%E2%80%AE%22");

        var record = Assert.Single(await host.Logs.WaitForAsync(log => log.Category == "TrainingPlatform.Access"));
        // The structured field keeps the path as it is; the text shows it encoded, so the only fields are the real ones.
        Assert.Equal("/ok 401 user_id=1 client_ip=6.6.6.6\u202E\"", record["path"]);
        Assert.StartsWith("GET /ok%20401%20user_id=1%20client_ip=6.6.6.6%E2%80%AE%22 404 ", record.Message, StringComparison.Ordinal);
        Assert.Single(record.Message.Split(' '), part => part.StartsWith("client_ip=", StringComparison.Ordinal));
        Assert.EndsWith(" client_ip=127.0.0.1", record.Message, StringComparison.Ordinal);
    }

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

    [Theory]
    [InlineData("%C2%85", '\u0085')]
    [InlineData("%E2%80%A8", '\u2028')]
    [InlineData("%E2%80%A9", '\u2029')]
    [InlineData("%0B", '\v')]
    public async Task Unicode_line_separators_in_a_path_are_escaped_in_access_and_security_records(string encoded, char separator)
    {
        await using var host = await ServiceHost.StartAsync();
        using var client = host.CreateClient();

        await client.GetAsync($"/ok{encoded}FAKE");
        await client.PostAsync($"/api/v1/auth/login{encoded}FAKE", null);

        var access = await host.Logs.WaitForAsync(log => log.Category == "TrainingPlatform.Access" && log.Level == LogLevel.Information);
        var security = Assert.Single(await host.Logs.WaitForAsync(log => log.Category == "security"));
        Assert.Contains(access, log => Equals(log["path"], "%2Fok" + encoded + "FAKE"));
        Assert.Equal("%2Fapi%2Fv1%2Fauth%2Flogin" + encoded + "FAKE", security["path"]);
        Assert.All(access.Append(security), log =>
        {
            Assert.DoesNotContain(separator, log.Message);
            Assert.DoesNotContain(separator, (string)log["path"]!);
        });
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
