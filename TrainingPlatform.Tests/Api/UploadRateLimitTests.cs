namespace TrainingPlatform.Tests.Api;

/// <summary>A low upload rate, so that a few uploads reach it.</summary>
public sealed class UploadRateApiFixture() : ApiFixture(new Dictionary<string, string?>
{
    ["RateLimits:UploadPermitLimit"] = UploadRateLimitTests.PerMinute.ToString(),
});

public class UploadRateLimitTests(UploadRateApiFixture api) : IClassFixture<UploadRateApiFixture>
{
    public const int PerMinute = 2;

    [Fact]
    public async Task Uploads_beyond_the_rate_are_a_429_with_retry_after_that_stores_nothing_and_other_users_go_on()
    {
        var instructor = await api.NewAccountAsync("instructor");
        var course = (await instructor.CreateCourseAsync()).Id;
        for (var i = 0; i < PerMinute; i++)
        {
            Assert.Equal(HttpStatusCode.Created, (await UploadQuotaTests.UploadAsync(instructor, course, 10)).StatusCode);
        }
        var before = await api.CountAsync("course_materials");

        var refused = await UploadQuotaTests.UploadAsync(instructor, course, 10);

        await refused.AssertProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.True(refused.Headers.RetryAfter?.Delta > TimeSpan.Zero, "429 must say when to retry");
        Assert.Equal(before, await api.CountAsync("course_materials"));
        var other = await api.NewAccountAsync("instructor");
        Assert.Equal(HttpStatusCode.Created, (await UploadQuotaTests.UploadAsync(other, (await other.CreateCourseAsync()).Id, 10)).StatusCode);
    }
}
