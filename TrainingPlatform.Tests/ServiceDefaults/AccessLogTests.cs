using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using TrainingPlatform.ServiceDefaults;

namespace TrainingPlatform.Tests.ServiceDefaults;

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
    public async Task With_the_json_console_formatter_the_record_is_one_machine_readable_line()
    {
        // The real console logger with the formatter chosen by configuration, as Logging__Console__FormatterName=json
        // does in production; its output is captured from Console.Out (lines of other hosts are filtered out by request id).
        var settings = new Dictionary<string, string?>
        {
            ["Logging:Console:FormatterName"] = "json",
            ["Logging:Console:FormatterOptions:IncludeScopes"] = "true",
        };
        var output = new StringWriter();
        var console = Console.Out;
        Console.SetOut(TextWriter.Synchronized(output));
        try
        {
            await using var host = await ServiceHost.StartAsync(settings: settings, configure: builder => builder.Logging.AddConsole());
            using var client = host.CreateClient();
            using var request = new HttpRequestMessage(HttpMethod.Get, "/items/5?secret=s3cr3t");
            request.Headers.Add(RequestId.HeaderName, "json-line-1");
            await client.SendAsync(request);
            await host.Logs.WaitForAsync(log => log.Category == "TrainingPlatform.Access");

            var line = await WaitForLineAsync(output, "\"Category\":\"TrainingPlatform.Access\"");
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
        finally
        {
            Console.SetOut(console);
        }
    }

    private static async Task<string> WaitForLineAsync(StringWriter output, string marker)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            var line = output.ToString().Split('\n').FirstOrDefault(candidate => candidate.Contains(marker, StringComparison.Ordinal)
                && candidate.Contains("json-line-1", StringComparison.Ordinal));
            if (line is not null)
            {
                return line.TrimEnd('\r');
            }
            await Task.Delay(20);
        }
        throw new TimeoutException("No JSON access line on the console within 10 s:\n" + output);
    }
}
