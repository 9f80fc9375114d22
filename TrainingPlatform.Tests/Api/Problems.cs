namespace TrainingPlatform.Tests.Api;

/// <summary>Assertions on RFC 9457 problem responses.</summary>
public static class Problems
{
    public static async Task<JsonElement> AssertProblemAsync(this HttpResponseMessage response, HttpStatusCode status)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(body).RootElement.Clone();
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("title").GetString()));
        if (problem.TryGetProperty("requestId", out var requestId))
        {
            Assert.False(string.IsNullOrEmpty(requestId.GetString()));
        }
        Assert.DoesNotContain("Exception", body);
        Assert.DoesNotContain("Npgsql", body);
        return problem;
    }

    /// <summary>Asserts a 400 validation problem and returns the names of the fields in error.</summary>
    public static async Task<string[]> AssertFieldErrorsAsync(this HttpResponseMessage response)
    {
        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        return problem.GetProperty("errors").EnumerateObject().Select(e => e.Name).Order().ToArray();
    }
}
