namespace TrainingPlatform.Tests.Reliability;

/// <summary>One request as the client saw it: when it started, how long it took, what came back.</summary>
public sealed record TimedResponse(string Kind, string? Title, TimeSpan StartedAt, TimeSpan Elapsed, HttpStatusCode Status, string? MediaType, string Body)
{
    public bool Succeeded => (int)Status is >= 200 and < 300;

    /// <summary>Sends a request and reads the whole answer, timing it from the first byte sent to the last byte read.</summary>
    public static async Task<TimedResponse> SendAsync(string kind, string? title, Stopwatch clock, Func<Task<HttpResponseMessage>> send)
    {
        var startedAt = clock.Elapsed;
        using var response = await send();
        var body = await response.Content.ReadAsStringAsync();
        return new TimedResponse(kind, title, startedAt, clock.Elapsed - startedAt, response.StatusCode,
            response.Content.Headers.ContentType?.MediaType, body);
    }

    public override string ToString() => $"{Kind} {Title} at {StartedAt.TotalSeconds:F1}s: {(int)Status} in {Elapsed.TotalMilliseconds:F0} ms {MediaType}";
}
