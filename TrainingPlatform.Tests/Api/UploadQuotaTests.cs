using TrainingPlatform.Api.Uploads;

namespace TrainingPlatform.Tests.Api;

/// <summary>Small per-owner quotas, so that a few uploads reach them.</summary>
public sealed class QuotaApiFixture() : ApiFixture(new Dictionary<string, string?>
{
    ["Uploads:MaxFilesPerOwner"] = UploadQuotaTests.MaxFiles.ToString(),
    ["Uploads:MaxBytesPerOwner"] = UploadQuotaTests.MaxBytes.ToString(),
});

public class UploadQuotaTests(QuotaApiFixture api) : IClassFixture<QuotaApiFixture>
{
    public const int MaxFiles = 3;
    public const int MaxBytes = 10_000;

    [Fact]
    public async Task One_file_over_the_count_limit_is_a_409_naming_it_and_nothing_is_stored()
    {
        var (instructor, course) = await InstructorWithCourseAsync();
        for (var i = 0; i < MaxFiles; i++)
        {
            Assert.Equal(HttpStatusCode.Created, (await UploadAsync(instructor, course, 10)).StatusCode);
        }
        var before = await api.CountAsync("course_materials");

        var problem = await (await UploadAsync(instructor, course, 10)).AssertProblemAsync(HttpStatusCode.Conflict);

        Assert.Equal("Uploads:MaxFilesPerOwner", problem.GetProperty("limit").GetString());
        Assert.Equal(before, await api.CountAsync("course_materials"));
        // The quota is the uploader's: another instructor still has all of theirs.
        var (other, otherCourse) = await InstructorWithCourseAsync();
        Assert.Equal(HttpStatusCode.Created, (await UploadAsync(other, otherCourse, 10)).StatusCode);
    }

    [Fact]
    public async Task Bytes_over_the_total_limit_are_a_409_naming_it_and_a_file_that_fits_is_still_accepted()
    {
        var (instructor, course) = await InstructorWithCourseAsync();
        Assert.Equal(HttpStatusCode.Created, (await UploadAsync(instructor, course, 4000)).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await UploadAsync(instructor, course, 4000)).StatusCode);
        var before = await api.CountAsync("course_materials");

        var problem = await (await UploadAsync(instructor, course, 4000)).AssertProblemAsync(HttpStatusCode.Conflict);

        Assert.Equal("Uploads:MaxBytesPerOwner", problem.GetProperty("limit").GetString());
        Assert.Equal(before, await api.CountAsync("course_materials"));
        Assert.Equal(HttpStatusCode.Created, (await UploadAsync(instructor, course, MaxBytes - 8000)).StatusCode);
    }

    [Fact]
    public async Task Parallel_uploads_cannot_both_take_the_last_free_place()
    {
        var (instructor, course) = await InstructorWithCourseAsync();
        for (var i = 0; i < MaxFiles - 1; i++)
        {
            Assert.Equal(HttpStatusCode.Created, (await UploadAsync(instructor, course, 10)).StatusCode);
        }
        // The test holds the owner's quota lock, so all four uploads are seen waiting for it at once before any may
        // count: they really overlap. Without the lock each would count the same two files and all would be stored.
        await using var connection = new NpgsqlConnection(api.ConnectionString);
        await connection.OpenAsync();
        await OwnerQuotaLock.HoldAsync(connection, UploadQuota.LockSpace, instructor.Id);

        var uploading = Enumerable.Range(0, 4).Select(_ => UploadAsync(instructor, course, 10)).ToArray();
        await Wait.UntilAsync(async () => await OwnerQuotaLock.WaitingAsync(connection, UploadQuota.LockSpace, instructor.Id) == 4, TimeSpan.FromSeconds(30),
            "four uploads waiting for the owner's quota lock");
        await OwnerQuotaLock.ReleaseAsync(connection, UploadQuota.LockSpace, instructor.Id);
        var responses = await Task.WhenAll(uploading);

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Created);
        Assert.Equal(3, responses.Count(r => r.StatusCode == HttpStatusCode.Conflict));
        Assert.Equal(MaxFiles, await Rows.CountAsync(api.ConnectionString, "course_materials", $"uploaded_by = {instructor.Id}"));
    }

    private async Task<(TestAccount Instructor, long Course)> InstructorWithCourseAsync()
    {
        var instructor = await api.NewAccountAsync("instructor");
        return (instructor, (await instructor.CreateCourseAsync()).Id);
    }

    internal static Task<HttpResponseMessage> UploadAsync(TestAccount instructor, long course, int size)
    {
        var form = new MultipartFormDataContent { { new StringContent(course.ToString()), "courseId" } };
        var file = new ByteArrayContent(UploadsTests.Pdf(size));
        file.Headers.ContentType = new MediaTypeHeaderValue("application/pdf");
        form.Add(file, "file", "handout.pdf");
        return instructor.Client.PostAsync("/api/v1/upload", form);
    }
}
