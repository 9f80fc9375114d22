using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace TrainingPlatform.Tests.ServiceDefaults;

// The cases that replace Console.Out, which every other test in the process writes through, run alone in
// AccessLogConsoleTests; these run in parallel.
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

    [Theory]
    [InlineData('\u0085')]
    [InlineData('\u2028')]
    [InlineData('\u2029')]
    [InlineData('\v')]
    public async Task Unicode_line_separators_in_a_path_are_escaped_in_access_and_security_records(char separator)
    {
        var encoded = Uri.EscapeDataString(separator.ToString()); // as a client sends it: %C2%85, %E2%80%A8, %E2%80%A9, %0B
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
}
