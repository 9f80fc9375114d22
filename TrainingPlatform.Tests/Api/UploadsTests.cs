using System.Security.Cryptography;

namespace TrainingPlatform.Tests.Api;

public class UploadsTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    private sealed record MaterialBody(long Id, long CourseId, string FileName, string ContentType, long SizeBytes, string Sha256);

    private static MultipartFormDataContent Form(object? courseId, byte[]? file, string contentType = "application/pdf", string fileName = "notes.pdf")
    {
        var form = new MultipartFormDataContent();
        if (courseId is not null)
        {
            form.Add(new StringContent(courseId.ToString()!), "courseId");
        }
        if (file is not null)
        {
            var part = new ByteArrayContent(file);
            part.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
            form.Add(part, "file", fileName);
        }
        return form;
    }

    [Fact]
    public async Task Materials_round_trip_byte_for_byte_with_their_sha256()
    {
        var (instructor, course) = await api.NewCourseAsync();
        var bytes = Pdf(3000);

        var upload = await instructor.Client.PostAsync("/api/v1/upload/", Form(course.Id, bytes, "application/pdf; name=x", "Week 1 – résumé.pdf"));

        Assert.Equal(HttpStatusCode.Created, upload.StatusCode);
        var material = (await upload.Content.ReadFromJsonAsync<MaterialBody>())!;
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(bytes));
        Assert.Equal((course.Id, "Week 1 – résumé.pdf", "application/pdf", 3000L, sha256),
            (material.CourseId, material.FileName, material.ContentType, material.SizeBytes, material.Sha256));

        var download = await instructor.Client.GetAsync($"/api/v1/upload/{material.Id}/");
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal("application/pdf", download.Content.Headers.ContentType?.MediaType);
        var disposition = download.Content.Headers.ContentDisposition!;
        Assert.Equal("attachment", disposition.DispositionType);
        Assert.Equal("Week 1 – résumé.pdf", disposition.FileNameStar);
        Assert.Equal(bytes, await download.Content.ReadAsByteArrayAsync());
        Assert.Equal(sha256, Convert.ToHexStringLower(SHA256.HashData(await download.Content.ReadAsByteArrayAsync())));
    }

    /// <summary><paramref name="size"/> bytes that start as a PDF does, then random.</summary>
    internal static byte[] Pdf(int size)
    {
        var bytes = RandomNumberGenerator.GetBytes(size);
        "%PDF-1.7\n"u8.CopyTo(bytes);
        return bytes;
    }

    [Fact]
    public async Task A_course_back_in_draft_hides_its_materials_from_enrolled_learners_not_from_its_instructor()
    {
        var (instructor, course) = await api.NewCourseAsync();
        var upload = await instructor.Client.PostAsync("/api/v1/upload", Form(course.Id, "hello"u8.ToArray(), "text/plain", "hello.txt"));
        var material = (await upload.Content.ReadFromJsonAsync<MaterialBody>())!;
        var learner = await api.NewAccountAsync();
        Assert.Equal(HttpStatusCode.Created, (await learner.Client.PostAsync($"/api/v1/courses/{course.Id}/enroll", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await learner.Client.GetAsync($"/api/v1/upload/{material.Id}")).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await instructor.Client.PatchAsJsonAsync($"/api/v1/courses/{course.Id}", new { published = false })).StatusCode);

        // The same answer as the draft's lessons give the learner, and as a file that does not exist.
        await (await learner.Client.GetAsync($"/api/v1/courses/{course.Id}/lessons")).AssertProblemAsync(HttpStatusCode.NotFound);
        await (await learner.Client.GetAsync($"/api/v1/upload/{material.Id}")).AssertProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal("hello", await instructor.Client.GetStringAsync($"/api/v1/upload/{material.Id}"));
        // Published again, the enrollment gives its materials back.
        Assert.Equal(HttpStatusCode.OK, (await instructor.Client.PatchAsJsonAsync($"/api/v1/courses/{course.Id}", new { published = true })).StatusCode);
        Assert.Equal("hello", await learner.Client.GetStringAsync($"/api/v1/upload/{material.Id}"));
    }

    [Fact]
    public async Task Enrolled_learners_may_download_and_strangers_may_not()
    {
        var (instructor, course) = await api.NewCourseAsync();
        var upload = await instructor.Client.PostAsync("/api/v1/upload", Form(course.Id, "hello"u8.ToArray(), "text/plain", "hello.txt"));
        var material = (await upload.Content.ReadFromJsonAsync<MaterialBody>())!;
        var learner = await api.NewAccountAsync();
        var stranger = await api.NewAccountAsync();
        await learner.Client.PostAsync($"/api/v1/courses/{course.Id}/enroll", null);

        var allowed = await learner.Client.GetAsync($"/api/v1/upload/{material.Id}");
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        Assert.Equal("hello", await allowed.Content.ReadAsStringAsync());
        // A stranger cannot tell the file exists: the same 404 as for an id nobody has.
        var hidden = await (await stranger.Client.GetAsync($"/api/v1/upload/{material.Id}")).AssertProblemAsync(HttpStatusCode.NotFound);
        var missing = await (await stranger.Client.GetAsync("/api/v1/upload/987654321")).AssertProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal(missing.GetProperty("title").GetString(), hidden.GetProperty("title").GetString());
        Assert.Equal(missing.TryGetProperty("detail", out var detail) ? detail.GetString() : null,
            hidden.TryGetProperty("detail", out var hiddenDetail) ? hiddenDetail.GetString() : null);
        using var anonymous = api.Anonymous();
        await (await anonymous.GetAsync($"/api/v1/upload/{material.Id}")).AssertProblemAsync(HttpStatusCode.Unauthorized);
        await (await learner.Client.GetAsync("/api/v1/upload/987654321")).AssertProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal(["id"], await (await learner.Client.GetAsync("/api/v1/upload/..%2F..%2Fetc%2Fpasswd")).AssertFieldErrorsAsync());
    }

    [Theory]
    [InlineData("filename=\"../../etc/passwd\"", "passwd")]
    [InlineData("filename=\"..\\..\\windows\\system.ini\"", "system.ini")]
    [InlineData("filename*=UTF-8''..%2F..%2Fsecret.txt", "secret.txt")]
    [InlineData("filename*=UTF-8''evil%00.pdf", "evil.pdf")]
    [InlineData("filename*=UTF-8''line%0D%0Abreak.pdf", "linebreak.pdf")]
    [InlineData("filename=\"..\"", "file")]
    [InlineData("filename=\"a<b>c:d|f?g*.pdf\"", "abcdfg.pdf")]
    [InlineData("filename*=UTF-8''notes%E2%80%AEfdp.exe", "notesfdp.exe")]
    [InlineData("filename*=UTF-8''%E2%81%A6evil%E2%81%A9.pdf.exe", "evil.pdf.exe")]
    [InlineData("filename*=UTF-8''%E2%80%AAa%E2%80%ABb%E2%80%ACc%E2%80%ADd.txt", "abcd.txt")]
    [InlineData("filename*=UTF-8''zero%E2%80%8Bwidth%E2%80%8D.txt", "zerowidth.txt")]
    [InlineData("filename*=UTF-8''%EF%BB%BFbom%C2%ADsoft.txt", "bomsoft.txt")]
    [InlineData("filename*=UTF-8''line%E2%80%A8para%E2%80%A9.txt", "linepara.txt")]
    public async Task File_names_are_sanitised(string fileNameParameter, string stored)
    {
        var (instructor, course) = await api.NewCourseAsync();
        var form = new MultipartFormDataContent { { new StringContent(course.Id.ToString()), "courseId" } };
        var part = new ByteArrayContent("x"u8.ToArray());
        part.Headers.ContentType = new MediaTypeHeaderValue("text/plain");
        // Set the header by hand: HttpClient would otherwise encode or refuse the hostile name.
        part.Headers.TryAddWithoutValidation("Content-Disposition", $"form-data; name=\"file\"; {fileNameParameter}");
        form.Add(part);

        var response = await instructor.Client.PostAsync("/api/v1/upload", form);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(stored, (await response.Content.ReadFromJsonAsync<MaterialBody>())!.FileName);
    }

    [Fact]
    public async Task A_file_over_the_limit_is_a_413_and_nothing_is_stored()
    {
        var (instructor, course) = await api.NewCourseAsync();
        var before = await api.CountAsync("course_materials");

        var response = await instructor.Client.PostAsync("/api/v1/upload", Form(course.Id, new byte[4097]));

        await response.AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge);
        Assert.Equal(before, await api.CountAsync("course_materials"));
    }

    [Fact]
    public async Task A_request_body_far_over_the_limit_is_a_413()
    {
        var (instructor, course) = await api.NewCourseAsync();
        var response = await instructor.Client.PostAsync("/api/v1/upload", Form(course.Id, new byte[200_000]));
        await response.AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge);
    }

    [Theory]
    [InlineData("application/x-msdownload")]
    [InlineData("text/html")]
    [InlineData("image/svg+xml")]
    public async Task A_file_type_not_allowed_is_a_415(string contentType)
    {
        var (instructor, course) = await api.NewCourseAsync();
        var before = await api.CountAsync("course_materials");
        var response = await instructor.Client.PostAsync("/api/v1/upload", Form(course.Id, "MZ"u8.ToArray(), contentType, "tool.exe"));
        await response.AssertProblemAsync(HttpStatusCode.UnsupportedMediaType);
        Assert.Equal(before, await api.CountAsync("course_materials"));
    }

    public static TheoryData<string, byte[]> Genuine() => new()
    {
        { "application/pdf", "%PDF-1.4\n%\u00e2\u00e3"u8.ToArray() },
        { "image/png", [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13] },
        { "image/jpeg", [0xFF, 0xD8, 0xFF, 0xE0, 0, 16] },
        { "image/gif", "GIF89a\u0001\u0000"u8.ToArray() },
        { "image/webp", "RIFF\u0024\u0000\u0000\u0000WEBPVP8 "u8.ToArray() },
        { "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "PK\u0003\u0004\u0014\u0000\u0006\u0000"u8.ToArray() },
        { "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "PK\u0003\u0004\u0014\u0000"u8.ToArray() },
        { "application/vnd.openxmlformats-officedocument.presentationml.presentation", "PK\u0003\u0004\u0014\u0000"u8.ToArray() },
        { "application/msword", [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0] },
        { "application/vnd.ms-excel", [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0] },
        { "application/vnd.ms-powerpoint", [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0] },
        { "application/zip", "PK\u0005\u0006"u8.ToArray().Concat(new byte[18]).ToArray() },
        { "video/mp4", "\u0000\u0000\u0000\u0018ftypmp42"u8.ToArray() },
        { "text/plain", "Grüße, notes ✓"u8.ToArray() },
        { "text/markdown", "# Week 1\n\n- résumé"u8.ToArray() },
    };

    [Theory]
    [MemberData(nameof(Genuine))]
    public async Task Each_allowed_type_is_accepted_with_its_own_leading_bytes(string contentType, byte[] content)
    {
        var (instructor, course) = await api.NewCourseAsync();
        var response = await instructor.Client.PostAsync("/api/v1/upload", Form(course.Id, content, contentType, "file"));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    public static TheoryData<string, byte[]> Disguised() => new()
    {
        { "application/pdf", "MZ\u0090\u0000\u0003"u8.ToArray() },
        { "application/pdf", "<html><script>alert(1)</script>"u8.ToArray() },
        { "image/png", "<svg xmlns=\"http://www.w3.org/2000/svg\"/>"u8.ToArray() },
        { "image/jpeg", "%PDF-1.4"u8.ToArray() },
        { "image/gif", "GIF88a"u8.ToArray() },
        { "image/webp", "RIFF\u0024\u0000\u0000\u0000WAVEfmt "u8.ToArray() },
        { "application/vnd.openxmlformats-officedocument.wordprocessingml.document", [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1] },
        { "application/msword", "PK\u0003\u0004\u0014\u0000"u8.ToArray() },
        { "application/zip", "MZ\u0090\u0000"u8.ToArray() },
        { "video/mp4", "\u0000\u0000\u0000\u0018mdat"u8.ToArray() },
        { "text/plain", "MZ\u0090\u0000\u0003\u0000"u8.ToArray() },
        { "text/plain", [0x68, 0x69, 0xC3, 0x28] },
        { "application/pdf", [] },
    };

    [Theory]
    [MemberData(nameof(Disguised))]
    public async Task Content_that_is_not_its_declared_type_is_a_415_and_nothing_is_stored(string contentType, byte[] content)
    {
        var (instructor, course) = await api.NewCourseAsync();
        var before = await api.CountAsync("course_materials");

        var response = await instructor.Client.PostAsync("/api/v1/upload", Form(course.Id, content, contentType, "file"));

        var problem = await response.AssertProblemAsync(HttpStatusCode.UnsupportedMediaType);
        Assert.Contains("content", problem.GetProperty("title").GetString());
        Assert.Equal(before, await api.CountAsync("course_materials"));
    }

    [Fact]
    public async Task Uploading_needs_the_courses_instructor()
    {
        var (owner, course) = await api.NewCourseAsync();
        var other = await api.NewAccountAsync("instructor");
        var learner = await api.NewAccountAsync();
        using var anonymous = api.Anonymous();

        await (await other.Client.PostAsync("/api/v1/upload", Form(course.Id, Pdf(10)))).AssertProblemAsync(HttpStatusCode.Forbidden);
        await (await learner.Client.PostAsync("/api/v1/upload", Form(course.Id, Pdf(10)))).AssertProblemAsync(HttpStatusCode.Forbidden);
        await (await anonymous.PostAsync("/api/v1/upload", Form(course.Id, Pdf(10)))).AssertProblemAsync(HttpStatusCode.Unauthorized);
        await (await owner.Client.PostAsync("/api/v1/upload", Form(987654321, Pdf(10)))).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Missing_or_invalid_form_fields_are_400s()
    {
        var (instructor, course) = await api.NewCourseAsync();

        Assert.Equal(["file"], await (await instructor.Client.PostAsync("/api/v1/upload", Form(course.Id, null))).AssertFieldErrorsAsync());
        Assert.Equal(["courseId"], await (await instructor.Client.PostAsync("/api/v1/upload", Form(null, "x"u8.ToArray()))).AssertFieldErrorsAsync());
        Assert.Equal(["courseId"], await (await instructor.Client.PostAsync("/api/v1/upload", Form("abc", "x"u8.ToArray()))).AssertFieldErrorsAsync());
        var json = await instructor.Client.PostAsync("/api/v1/upload", new StringContent("{}", Encoding.UTF8, "application/json"));
        Assert.True(json.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.UnsupportedMediaType, $"got {json.StatusCode}");
        Assert.Equal("application/problem+json", json.Content.Headers.ContentType?.MediaType);
    }
}
