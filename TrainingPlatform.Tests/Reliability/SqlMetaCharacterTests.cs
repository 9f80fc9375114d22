using TrainingPlatform.Tests.Api;

namespace TrainingPlatform.Tests.Reliability;

/// <summary>
/// SQL meta-characters in every string field and query parameter. Where the value is valid text it is stored and
/// returned verbatim (every statement is parameterised); where it is not (an email, an id, a number) it is a 400
/// problem. Either way no table loses or gains a row it should not.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public class SqlMetaCharacterTests(HostileApi api)
{
    public static TheoryData<string> Payloads() =>
    [
        "' OR 1=1 --",
        "\"; DROP TABLE users; --",
        "'); DELETE FROM courses; --",
        "1; TRUNCATE enrollments CASCADE",
        "$$; DROP TABLE lessons; $$",
        "%' OR '%'='",
        "\\'; SELECT pg_sleep(30); --",
        "Robert'); DROP TABLE users;--",
    ];

    [Theory]
    [MemberData(nameof(Payloads))]
    public async Task Text_fields_store_the_payload_verbatim_and_nothing_else_changes(string payload)
    {
        var before = await api.TableContentsAsync();
        using var anonymous = api.Anonymous();
        var email = $"o'hara-{Guid.NewGuid():N}@example.test";
        var password = payload + " and then some";

        await TestAccounts.RegisterAsync(anonymous, email, password, "instructor", displayName: payload);
        var tokens = await TestAccounts.SignInAsync(anonymous, email, password);
        using var author = api.Process.CreateHttpClient();
        author.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", tokens.Access);
        Assert.Equal(payload, (await author.GetFromJsonAsync<UserBody>("/api/v1/auth/me"))!.DisplayName);

        var course = await (await author.PostAsJsonAsync("/api/v1/courses", new { title = payload, description = payload, published = true }))
            .Content.ReadFromJsonAsync<CourseBody>();
        Assert.Equal((payload, payload), (course!.Title, course.Description));
        var lesson = await (await author.PostAsJsonAsync($"/api/v1/courses/{course.Id}/lessons", new { title = payload, content = payload }))
            .Content.ReadFromJsonAsync<LessonBody>();
        Assert.Equal((payload, payload), (lesson!.Title, lesson.Content));
        var patched = await author.PatchAsJsonAsync($"/api/v1/courses/{course.Id}", new { description = payload + payload });
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        var stored = await author.SendAsync(UploadRequest(course.Id.ToString(), payload));
        Assert.Equal(HttpStatusCode.Created, stored.StatusCode);

        Assert.Equal(payload, await ScalarAsync("SELECT title FROM courses WHERE id = @id", course.Id));
        Assert.Equal(payload, await ScalarAsync("SELECT content FROM lessons WHERE id = @id", lesson.Id));
        // Only these tables' content changed, each by the one row this test wrote.
        var after = await api.TableContentsAsync();
        var grown = after.Where(table => table.Value != before[table.Key])
            .ToDictionary(table => table.Key, table => table.Value.Rows - before[table.Key].Rows);
        Assert.Equal(new Dictionary<string, long>
        {
            ["users"] = 1, ["sessions"] = 1, ["refresh_tokens"] = 1, ["courses"] = 1, ["lessons"] = 1, ["course_materials"] = 1,
        }, grown);
    }

    [Theory]
    [MemberData(nameof(Payloads))]
    public async Task Ids_numbers_emails_and_tokens_holding_the_payload_are_4xx_problems_that_write_nothing(string payload)
    {
        using var anonymous = api.Anonymous();
        var learner = api.Learner.Client;
        var escaped = Uri.EscapeDataString(payload);
        await api.AssertRejectedAsync(() => anonymous.GetAsync($"/api/v1/courses?limit={escaped}"), HttpStatusCode.BadRequest, null);
        await api.AssertRejectedAsync(() => anonymous.GetAsync($"/api/v1/courses?offset={escaped}"), HttpStatusCode.BadRequest, null);
        await api.AssertRejectedAsync(() => learner.GetAsync($"/api/v1/enrollments?limit={escaped}"), HttpStatusCode.BadRequest, null);
        await api.AssertRejectedAsync(() => anonymous.GetAsync($"/api/v1/courses/{escaped}"), HttpStatusCode.BadRequest, null);
        await api.AssertRejectedAsync(() => anonymous.GetAsync($"/api/v1/courses/1/lessons/{escaped}"), HttpStatusCode.BadRequest, null);
        await api.AssertRejectedAsync(() => learner.PostAsync($"/api/v1/courses/{escaped}/enroll", null), HttpStatusCode.BadRequest, null);
        await api.AssertRejectedAsync(() => learner.GetAsync($"/api/v1/upload/{escaped}"), HttpStatusCode.BadRequest, "sensitive_4xx");
        await api.AssertRejectedAsync(() => api.Instructor.Client.SendAsync(UploadRequest(payload, "x.txt")), HttpStatusCode.BadRequest, "sensitive_4xx");
        await api.AssertRejectedAsync(() => anonymous.PostAsJsonAsync("/api/v1/auth/register",
            new { email = payload, password = "correct horse battery staple", displayName = "x", role = "learner" }), HttpStatusCode.BadRequest, "sensitive_4xx");
        await api.AssertRejectedAsync(() => anonymous.PostAsJsonAsync("/api/v1/auth/register",
            new { email = "fine@example.test", password = "correct horse battery staple", displayName = "x", role = payload }), HttpStatusCode.BadRequest, "sensitive_4xx");
        await api.AssertRejectedAsync(() => anonymous.PostAsJsonAsync("/api/v1/token", new { email = payload, password = payload }),
            HttpStatusCode.BadRequest, "sensitive_4xx");
        await api.AssertRejectedAsync(() => anonymous.PostAsJsonAsync("/api/v1/token/refresh", new { refresh = payload }),
            HttpStatusCode.Unauthorized, "unauthorized");
        await api.AssertRejectedAsync(() => anonymous.PostAsJsonAsync("/api/v1/password/reset", new { email = payload }),
            HttpStatusCode.BadRequest, "sensitive_4xx");
        await api.AssertRejectedAsync(() => anonymous.PostAsJsonAsync("/api/v1/password/reset/confirm", new { token = payload, newPassword = "correct horse battery staple" }),
            HttpStatusCode.BadRequest, "sensitive_4xx");
    }

    private static HttpRequestMessage UploadRequest(string courseId, string fileName) =>
        new(HttpMethod.Post, "/api/v1/upload") { Content = UploadForms.Of(courseId, fileName, "notes"u8.ToArray()) };

    private async Task<string> ScalarAsync(string sql, long id)
    {
        await using var connection = new NpgsqlConnection(api.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("id", id);
        return (string)(await command.ExecuteScalarAsync())!;
    }
}
