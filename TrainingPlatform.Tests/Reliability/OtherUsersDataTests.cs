using TrainingPlatform.Tests.Api;

namespace TrainingPlatform.Tests.Reliability;

/// <summary>
/// Reaching for someone else's course, lessons, enrollment or file: 403 or 404, never the data, nothing changed.
/// The owner's draft and its lesson carry marker text that must never appear in an answer to anyone else.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public class OtherUsersDataTests(OtherUsersDataTests.Scene scene) : IClassFixture<OtherUsersDataTests.Scene>
{
    private const string Secret = "SECRET-MARKER-7f3a";

    public static TheoryData<string, string, string, int> Attempts() => new()
    {
        // actor, method, path ({draft}, {published}, {lesson}, {draftLesson}, {file} filled in), expected status
        { "stranger", "GET", "/api/v1/courses/{draft}", 404 },
        { "anonymous", "GET", "/api/v1/courses/{draft}", 404 },
        { "stranger", "GET", "/api/v1/courses/{draft}/lessons", 404 },
        { "stranger", "GET", "/api/v1/courses/{draft}/lessons/{draftLesson}", 404 },
        { "stranger", "GET", "/api/v1/courses/{published}/lessons/{draftLesson}", 404 },
        { "stranger", "POST", "/api/v1/courses/{draft}/enroll", 404 },
        { "stranger", "POST", "/api/v1/courses/{published}/lessons/{lesson}/complete", 403 },
        { "stranger", "GET", "/api/v1/upload/{file}", 404 },
        { "anonymous", "GET", "/api/v1/upload/{file}", 401 },
        { "rival", "GET", "/api/v1/upload/{file}", 404 },
        { "rival", "PUT", "/api/v1/courses/{draft}", 404 },
        { "rival", "PUT", "/api/v1/courses/{published}", 403 },
        { "rival", "PATCH", "/api/v1/courses/{published}", 403 },
        { "rival", "DELETE", "/api/v1/courses/{published}", 403 },
        { "rival", "POST", "/api/v1/courses/{published}/lessons", 403 },
        { "rival", "PUT", "/api/v1/courses/{published}/lessons/{lesson}", 403 },
        { "rival", "DELETE", "/api/v1/courses/{published}/lessons/{lesson}", 403 },
        { "rival", "POST", "/api/v1/upload", 404 },
        { "learner", "PATCH", "/api/v1/courses/{published}", 403 },
        { "learner", "DELETE", "/api/v1/courses/{published}/lessons/{lesson}", 403 },
    };

    [Theory]
    [MemberData(nameof(Attempts))]
    public async Task Someone_elses_data_is_403_or_404_and_never_shown(string actor, string method, string path, int status)
    {
        var client = scene.ClientOf(actor);
        var expectedEvent = status switch { 401 => "unauthorized", 403 => "forbidden", _ => path.StartsWith("/api/v1/upload") ? "sensitive_4xx" : null };

        var response = await scene.Api.AssertRejectedAsync(() => client.SendAsync(scene.Request(method, path)), (HttpStatusCode)status, expectedEvent);

        Assert.DoesNotContain(Secret, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Lists_show_a_stranger_neither_the_draft_nor_anyone_elses_enrollments()
    {
        var courses = await scene.ClientOf("stranger").GetStringAsync("/api/v1/courses?limit=100");
        var enrollments = await scene.ClientOf("stranger").GetFromJsonAsync<PageBody<EnrollmentBody>>("/api/v1/enrollments");

        Assert.DoesNotContain(Secret, courses);
        Assert.Contains("Published course", courses);
        Assert.Equal(0, enrollments!.Total);
    }

    public sealed class Scene : IAsyncLifetime
    {
        private readonly HostileApi _api = new();
        private HttpClient _anonymous = null!;
        private TestAccount _stranger = null!;
        private TestAccount _rival = null!;
        private long _draft;
        private long _published;
        private long _lesson;
        private long _draftLesson;
        private long _file;

        public HostileApi Api => _api;

        public async Task InitializeAsync()
        {
            await _api.InitializeAsync();
            _anonymous = _api.Anonymous();
            _stranger = await _api.Process.RegisterAsync();
            _rival = await _api.Process.RegisterAsync("instructor");
            var owner = _api.Instructor;
            _draft = (await owner.CreateCourseAsync(published: false, title: "Draft " + Secret)).Id;
            _draftLesson = (await owner.AddLessonAsync(_draft, "Lesson " + Secret)).Id;
            _published = (await owner.CreateCourseAsync(published: true, title: "Published course")).Id;
            _lesson = (await owner.AddLessonAsync(_published, "First lesson")).Id;
            var uploaded = await owner.Client.PostAsync("/api/v1/upload",
                UploadForms.Of(_published.ToString(), "notes.txt", System.Text.Encoding.UTF8.GetBytes("notes " + Secret)));
            Assert.Equal(HttpStatusCode.Created, uploaded.StatusCode);
            _file = (await uploaded.Content.ReadFromJsonAsync<MaterialId>())!.Id;
            Assert.Equal(HttpStatusCode.Created, (await _api.Learner.Client.PostAsync($"/api/v1/courses/{_published}/enroll", null)).StatusCode);
        }

        public async Task DisposeAsync()
        {
            _anonymous.Dispose();
            await _api.DisposeAsync();
        }

        public HttpClient ClientOf(string actor) => actor switch
        {
            "anonymous" => _anonymous,
            "stranger" => _stranger.Client,
            "rival" => _rival.Client,
            "learner" => _api.Learner.Client,
            _ => throw new ArgumentOutOfRangeException(nameof(actor)),
        };

        public HttpRequestMessage Request(string method, string path)
        {
            var url = path.Replace("{draft}", _draft.ToString()).Replace("{published}", _published.ToString())
                .Replace("{draftLesson}", _draftLesson.ToString()).Replace("{lesson}", _lesson.ToString()).Replace("{file}", _file.ToString());
            var request = new HttpRequestMessage(new HttpMethod(method), url);
            if (url == "/api/v1/upload")
            {
                request.Content = UploadForms.Of(_draft.ToString(), "planted.txt", "planted"u8.ToArray());
            }
            else if (method is "PUT" or "PATCH" or "POST" && !url.EndsWith("/enroll") && !url.EndsWith("/complete"))
            {
                request.Content = JsonContent.Create(new { title = "Taken over", content = "x", description = "x", published = true });
            }
            return request;
        }

        private sealed record MaterialId(long Id);
    }
}
