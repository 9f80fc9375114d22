using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.OpenApi;

namespace TrainingPlatform.Tests.Api;

public class OpenApiTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    [Fact]
    public async Task The_openapi_document_is_valid_and_describes_every_mapped_route()
    {
        using var client = api.Anonymous();
        var response = await client.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var read = await OpenApiDocument.LoadAsync(await response.Content.ReadAsStreamAsync(), "json");

        Assert.Empty(read.Diagnostic?.Errors ?? []);
        Assert.Equal(OpenApiSpecVersion.OpenApi3_1, read.Diagnostic!.SpecificationVersion);
        var document = read.Document!;
        var endpoints = MappedOperations();
        // The API's routes, not only the housekeeping ones: the enumeration itself is checked.
        Assert.Contains(endpoints, e => e.Path == "/api/v1/courses/{id}/lessons/{lessonId}/complete");
        foreach (var (method, path, _) in endpoints)
        {
            Assert.True(document.Paths.TryGetValue(path, out var item), $"{method} {path} is mapped but not in the document");
            var operation = Assert.Single(item!.Operations!, o => o.Key.Method == method).Value;
            Assert.False(string.IsNullOrEmpty(operation.Summary), $"{method} {path} has no summary");
            Assert.True(operation.Tags is { Count: > 0 }, $"{method} {path} has no tag");
            Assert.True(operation.Responses!.Keys.Any(status => status.StartsWith('2')), $"{method} {path} documents no 2xx");
        }
    }

    [Fact]
    public async Task An_independent_validator_accepts_the_document_against_the_openapi_json_schema()
    {
        using var client = api.Anonymous();
        var document = Path.Combine(Directory.CreateTempSubdirectory("tp-openapi-").FullName, "v1.json");
        await File.WriteAllTextAsync(document, await client.GetStringAsync("/openapi/v1.json"));

        var output = await Node.RunAsync(Path.Combine(AppContext.BaseDirectory, "Api", "validate-openapi.mjs"), [document], TimeSpan.FromMinutes(1));

        using var result = System.Text.Json.JsonDocument.Parse(output.Trim().Split('\n')[^1]);
        Assert.True(result.RootElement.GetProperty("valid").GetBoolean(), result.RootElement.GetProperty("errors").ToString());
        Assert.StartsWith("3.1", result.RootElement.GetProperty("version").GetString());
    }

    [Fact]
    public async Task Protected_routes_document_their_401_and_errors_are_problem_json()
    {
        using var client = api.Anonymous();
        var read = await OpenApiDocument.LoadAsync(await client.GetStreamAsync("/openapi/v1.json"), "json");
        var me = read.Document!.Paths["/api/v1/auth/me"].Operations![HttpMethod.Get];
        Assert.Contains("application/problem+json", me.Responses!["401"].Content!.Keys);
        var register = read.Document.Paths["/api/v1/auth/register"].Operations![HttpMethod.Post];
        Assert.Contains("400", register.Responses!.Keys);
        Assert.Contains("429", register.Responses.Keys);
    }

    [Fact]
    public async Task Course_lesson_and_enrollment_writes_document_their_429_and_writes_of_content_their_409()
    {
        using var client = api.Anonymous();
        var document = (await OpenApiDocument.LoadAsync(await client.GetStreamAsync("/openapi/v1.json"), "json")).Document!;
        var writes = MappedOperations().Where(e => e.Method != "GET" && e.Path.StartsWith("/api/v1/courses", StringComparison.Ordinal)).ToList();
        // Courses POST/PUT/PATCH/DELETE, lessons POST/PUT/DELETE, enroll and complete.
        Assert.Equal(9, writes.Count);
        foreach (var (method, path, _) in writes)
        {
            var responses = document.Paths[path].Operations![new HttpMethod(method)].Responses!;
            Assert.True(responses.ContainsKey("429"), $"{method} {path} does not document its 429");
            var addsContent = method != "DELETE" && !path.EndsWith("/enroll", StringComparison.Ordinal) && !path.EndsWith("/complete", StringComparison.Ordinal);
            Assert.True(!addsContent || responses.ContainsKey("409"), $"{method} {path} does not document its quota's 409");
        }
    }

    /// <summary>
    /// Every endpoint the app maps (from its <see cref="EndpointDataSource"/>, not a list kept here) is called without
    /// a token: it answers 401 exactly when its operation in the document declares a security requirement.
    /// </summary>
    [Fact]
    public async Task Each_operation_declares_a_security_requirement_exactly_when_its_endpoint_answers_401_without_a_token()
    {
        using var client = api.Anonymous();
        var document = (await OpenApiDocument.LoadAsync(await client.GetStreamAsync("/openapi/v1.json"), "json")).Document!;
        var endpoints = MappedOperations();
        Assert.NotEmpty(endpoints);

        var mismatches = new List<string>();
        foreach (var (method, path, accepts) in endpoints)
        {
            Assert.True(document.Paths.TryGetValue(path, out var item), $"{method} {path} is mapped but not in the document");
            var operation = Assert.Single(item!.Operations!, o => o.Key.Method == method).Value;
            var declared = operation.Security is { Count: > 0 } security
                && security.SelectMany(requirement => requirement.Keys).Any(scheme => scheme.Reference.Id == "Bearer");
            using var request = new HttpRequestMessage(new HttpMethod(method), Regex.Replace(path, "{[^}]+}", "1"));
            // A body of the kind the endpoint accepts, so that only the missing token can be what it objects to first.
            if (accepts.Any(type => type.StartsWith("multipart/form-data", StringComparison.Ordinal)))
            {
                request.Content = new MultipartFormDataContent();
            }
            else if (method is "POST" or "PUT" or "PATCH")
            {
                request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
            }
            using var response = await client.SendAsync(request);
            if (declared != (response.StatusCode == HttpStatusCode.Unauthorized))
            {
                mismatches.Add($"{method} {path}: declares {(declared ? "bearer" : "no security")}, answers {(int)response.StatusCode} without a token");
            }
        }
        Assert.Empty(mismatches);
        Assert.Equal(endpoints.Count, document.Paths.Values.Sum(item => item.Operations?.Count ?? 0));
    }

    /// <summary>Every operation the app maps (from its <see cref="EndpointDataSource"/>) that the document should describe.</summary>
    private List<(string Method, string Path, IReadOnlyList<string> Accepts)> MappedOperations() =>
        api.Server.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<IExcludeFromDescriptionMetadata>() is not { ExcludeFromDescription: true })
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? [])
                .Select(method => (Method: method, Path: DocumentPath(e), Accepts: e.Metadata.GetMetadata<IAcceptsMetadata>()?.ContentTypes ?? [])))
            .ToList();

    // The document's form of a route: one leading slash, none trailing, parameters without their constraints.
    private static string DocumentPath(RouteEndpoint endpoint) =>
        "/" + Regex.Replace(endpoint.RoutePattern.RawText!.Trim('/'), "{([^:}?=]+)[^}]*}", "{$1}");

    [Fact]
    public async Task Development_serves_an_interactive_reference_page()
    {
        using var client = api.Anonymous();
        var redirect = await client.GetAsync("/scalar");
        Assert.Equal(HttpStatusCode.Found, redirect.StatusCode);
        var response = await client.GetAsync(redirect.Headers.Location);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
    }
}
