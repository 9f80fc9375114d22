namespace TrainingPlatform.Tests.ServiceDefaults;

public sealed class ProblemTests() : ServiceHostTest
{
    public static TheoryData<string, string, string?, string?, int> ErrorRequests => new()
    {
        { "GET", "/no/such/path", null, null, 404 },
        { "DELETE", "/ok", null, null, 405 },
        { "GET", "/boom", null, null, 500 },
        { "POST", "/json", "{not json", "application/json", 400 },
        { "POST", "/json", "name", "text/plain", 415 },
        { "POST", "/upload", new string('x', 4096), "application/octet-stream", 413 },
        { "GET", "/private", null, null, 401 },
        { "GET", "/busy", null, null, 429 },
        { "POST", "/api/v1/auth/login", null, null, 400 },
    };

    [Theory]
    [MemberData(nameof(ErrorRequests))]
    public Task Every_error_is_a_problem_body_with_request_and_trace_ids(string method, string path, string? body, string? contentType, int status) =>
        AssertProblemAsync(Client, method, path, body, contentType, status);

    [Theory]
    [MemberData(nameof(ErrorRequests))]
    public async Task Errors_are_problem_bodies_in_Development_too(string method, string path, string? body, string? contentType, int status)
    {
        await using var host = await ServiceHost.StartAsync("Development");
        using var client = host.CreateClient();

        await AssertProblemAsync(client, method, path, body, contentType, status);
    }

    private static async Task AssertProblemAsync(HttpClient client, string method, string path, string? body, string? contentType, int status)
    {
        var requestId = $"problem-{status}-{method}";
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        request.Headers.Add(RequestId.HeaderName, requestId);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, contentType!);
        }

        using var response = await client.SendAsync(request);

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(requestId, response.Headers.GetValues(RequestId.HeaderName).Single());
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("title").GetString()));
        Assert.Equal(requestId, problem.GetProperty("requestId").GetString());
        Assert.Matches("^[0-9a-f]{32}$", problem.GetProperty("traceId").GetString()!);
    }

    [Fact]
    public async Task An_unhandled_exception_shows_no_detail_outside_Development()
    {
        using var response = await Client.GetAsync("/boom");

        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.DoesNotContain("secret detail", body, StringComparison.Ordinal);
        Assert.DoesNotContain("InvalidOperationException", body, StringComparison.Ordinal);
        Assert.DoesNotContain("ServiceHost", body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Production")]
    [InlineData("Development")]
    public async Task Exception_handlers_registered_by_the_service_map_their_exceptions_in_every_environment(string environment)
    {
        await using var host = await ServiceHost.StartAsync(environment);
        using var client = host.CreateClient();

        using var response = await client.GetAsync("/outage");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(503, problem.GetProperty("status").GetInt32());
        Assert.Equal(response.Headers.GetValues(RequestId.HeaderName).Single(), problem.GetProperty("requestId").GetString());
    }
}
