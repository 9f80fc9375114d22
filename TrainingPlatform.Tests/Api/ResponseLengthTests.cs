using System.Reflection;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace TrainingPlatform.Tests.Api;

/// <summary>
/// JSON answers go out with their <c>Content-Length</c>, not in chunks (<c>JsonOk</c>; ops/docs/performance.md, learner
/// section, sixth pass): checked on the wire for the reads a learner makes and the course list, and for every endpoint
/// by the result types it declares.
/// </summary>
public class ResponseLengthTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    [Fact]
    public async Task A_learners_reads_and_the_course_list_carry_their_length_and_are_not_chunked()
    {
        var (instructor, course) = await api.NewCourseAsync();
        var lesson = await instructor.AddLessonAsync(course.Id, "Lesson 1");
        var learner = await api.NewAccountAsync();
        Assert.Equal(HttpStatusCode.Created, (await learner.Client.PostAsync($"/api/v1/courses/{course.Id}/enroll", null)).StatusCode);

        string[] reads =
        [
            "/api/v1/auth/me/", $"/api/v1/courses/{course.Id}/", $"/api/v1/courses/{course.Id}/lessons/",
            $"/api/v1/courses/{course.Id}/lessons/{lesson.Id}/", "/api/v1/enrollments/", "/api/v1/courses/?limit=5",
        ];
        foreach (var path in reads)
        {
            using var response = await learner.Client.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var body = await response.Content.ReadAsByteArrayAsync();
            Assert.NotEqual(true, response.Headers.TransferEncodingChunked);
            Assert.Equal(body.Length, response.Content.Headers.ContentLength);
            Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType?.ToString());
            Assert.NotEmpty(body);
        }
    }

    [Fact]
    public void No_endpoint_answers_with_a_streamed_ok()
    {
        var handlers = api.Server.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Select(endpoint => (Route: endpoint.RoutePattern.RawText!, Method: endpoint.Metadata.GetMetadata<MethodInfo>()))
            .Where(handler => handler.Method is not null)
            .ToList();
        // The enumeration itself is checked: the signed-in reads are there.
        Assert.Contains(handlers, handler => handler.Route == "/api/v1/auth/me");

        var streamed = handlers.Where(handler => Mentions(handler.Method!.ReturnType, typeof(Ok<>))).Select(handler => handler.Route).ToList();
        Assert.Empty(streamed);
    }

    private static bool Mentions(Type type, Type generic) =>
        type.IsGenericType && (type.GetGenericTypeDefinition() == generic || type.GetGenericArguments().Any(argument => Mentions(argument, generic)));
}
