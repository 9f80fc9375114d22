using System.Net.Sockets;

namespace TrainingPlatform.Tests.ServiceDefaults;

// Alone: one test registers a process-wide ActivityListener that samples every other test's activities.
[Collection(RunsAloneCollection.Name)]
public sealed class RequestIdTests() : ServiceHostTest
{
    [Theory]
    [InlineData("abc-123")]
    [InlineData("Az09._:+/=-")]
    [InlineData("f47ac10b-58cc-4372-a567-0e02b2c3d479")]
    public async Task A_well_formed_request_id_is_echoed_and_logged_in_the_request_scope(string requestId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/ok");
        request.Headers.Add(RequestId.HeaderName, requestId);

        using var response = await Client.SendAsync(request);

        Assert.Equal(requestId, Assert.Single(response.Headers.GetValues(RequestId.HeaderName)));
        var access = await Host.Logs.WaitForAsync(log => log.Category == "TrainingPlatform.Access" && Equals(log["request_id"], requestId));
        Assert.True(Assert.Single(access).HasScopeValue(RequestId.Key, requestId));
    }

    [Fact]
    public async Task An_id_of_exactly_200_characters_is_kept()
    {
        var requestId = new string('a', 200);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/ok");
        request.Headers.Add(RequestId.HeaderName, requestId);

        using var response = await Client.SendAsync(request);

        Assert.Equal(requestId, response.Headers.GetValues(RequestId.HeaderName).Single());
    }

    [Theory]
    [InlineData("has space")]
    [InlineData("quote\"d")]
    [InlineData("single'quote")]
    [InlineData("semi;colon")]
    [InlineData("201")]
    public async Task A_malformed_request_id_is_replaced_by_a_fresh_one(string requestId)
    {
        if (requestId == "201")
        {
            requestId = new string('a', 201);
        }
        using var request = new HttpRequestMessage(HttpMethod.Get, "/ok");
        Assert.True(request.Headers.TryAddWithoutValidation(RequestId.HeaderName, requestId));

        using var response = await Client.SendAsync(request);

        var echoed = Assert.Single(response.Headers.GetValues(RequestId.HeaderName));
        Assert.NotEqual(requestId, echoed);
        Assert.Matches("^[0-9a-f]{32}$", echoed);
        var access = await Host.Logs.WaitForAsync(log => log.Category == "TrainingPlatform.Access" && Equals(log["request_id"], echoed));
        Assert.DoesNotContain(Host.Logs.Records, log => log.Message.Contains(requestId, StringComparison.Ordinal));
        Assert.Single(access);
    }

    [Fact]
    public async Task A_request_id_carrying_a_line_break_never_reaches_a_log_line()
    {
        // HttpClient refuses to send CR or LF in a header, so write the request by hand: a bare CR inside the value.
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(Host.BaseAddress.Host, Host.BaseAddress.Port);
        await using var stream = tcp.GetStream();
        var raw = "GET /ok HTTP/1.1\r\nHost: x\r\nX-Request-ID: abc\rINJECTED-LINE\r\nConnection: close\r\n\r\n";
        await stream.WriteAsync(Encoding.Latin1.GetBytes(raw));
        using var reader = new StreamReader(stream, Encoding.Latin1);
        var response = await reader.ReadToEndAsync();

        Assert.StartsWith("HTTP/1.1 ", response, StringComparison.Ordinal);
        Assert.DoesNotContain("INJECTED-LINE", response, StringComparison.Ordinal);
        Assert.DoesNotContain(Host.Logs.Records, log => log.Message.Contains("INJECTED-LINE", StringComparison.Ordinal));
        Assert.False(RequestId.IsAcceptable("abc\r\nINJECTED-LINE"));
        Assert.False(RequestId.IsAcceptable("abc\nINJECTED-LINE"));
    }

    [Fact]
    public async Task A_missing_request_id_is_generated_and_is_the_trace_id()
    {
        using var response = await Client.GetAsync("/ok");

        var generated = Assert.Single(response.Headers.GetValues(RequestId.HeaderName));
        Assert.Matches("^[0-9a-f]{32}$", generated);
        var access = Assert.Single(await Host.Logs.WaitForAsync(log => log.Category == "TrainingPlatform.Access" && Equals(log["request_id"], generated)));
        Assert.Equal(generated, access["trace_id"]);
    }

    [Fact]
    public async Task Every_log_record_of_a_request_carries_its_id_even_the_exception_log()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/boom");
        request.Headers.Add(RequestId.HeaderName, "boom-scope-1");

        using var response = await Client.SendAsync(request);

        Assert.Equal(500, (int)response.StatusCode);
        var failure = await Host.Logs.WaitForAsync(log => log.Exception is InvalidOperationException);
        Assert.All(failure, log => Assert.True(log.HasScopeValue(RequestId.Key, "boom-scope-1")));
    }

    [Fact]
    public async Task The_request_id_is_a_tag_on_the_request_activity()
    {
        var requestId = "activity-tag-" + Guid.NewGuid().ToString("N");
        var stopped = new TaskCompletionSource<Activity>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Microsoft.AspNetCore",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            ActivityStopped = activity =>
            {
                if (Equals(activity.GetTagItem(RequestId.Key), requestId))
                {
                    stopped.TrySetResult(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/items/7");
        request.Headers.Add(RequestId.HeaderName, requestId);

        using var response = await Client.SendAsync(request);

        var activity = await stopped.Task.WaitAsync(TimeSpan.FromSeconds(10));
        // ASP.NET Core's own request activity; http.route is OpenTelemetry's enrichment, wired only with an OTLP endpoint.
        Assert.Equal("Microsoft.AspNetCore.Hosting.HttpRequestIn", activity.OperationName);
    }

    [Fact]
    public async Task Error_bodies_carry_the_request_id()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/no/such/path");
        request.Headers.Add(RequestId.HeaderName, "error-body-1");

        using var response = await Client.SendAsync(request);

        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("error-body-1", problem.GetProperty("requestId").GetString());
        Assert.Equal("error-body-1", response.Headers.GetValues(RequestId.HeaderName).Single());
    }
}
