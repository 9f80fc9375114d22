namespace TrainingPlatform.Tests.Reliability;

/// <summary>Bodies no client should send, on the credential routes (registration, sign-in) and an ordinary one (course creation).</summary>
[Collection(ReliabilityCollection.Name)]
public class HostileBodyTests(HostileApi api)
{
    private const string Register = "/api/v1/auth/register";
    private const string Token = "/api/v1/token";
    private const string Courses = "/api/v1/courses";

    public static TheoryData<string, string> Bodies() => new()
    {
        { "truncated", """{"email":"a@example.test","password":"correct horse""" },
        { "malformed", "{email: 'a@example.test', password: 'x'}" },
        { "trailing garbage", """{"email":"a@example.test"} DROP""" },
        { "array instead of object", "[1,2,3]" },
        { "bare null", "null" },
        { "empty", "" },
        { "wrong types", """{"email":5,"password":true,"displayName":[],"role":{},"title":7,"description":false,"published":"yes"}""" },
        { "number out of range", """{"title":"t","published":1e999}""" },
        { "10,000 nested objects", new StringBuilder().Insert(0, "{\"a\":", 10_000).Append('1').Append('}', 10_000).ToString() },
        { "10,000 nested arrays", new string('[', 10_000) + new string(']', 10_000) },
        { "lone surrogate escape", """{"email":"\ud800@example.test","password":"correct horse battery","displayName":"\udfff","role":"learner","title":"\ud800"}""" },
        { "NUL escape in every field", """{"email":"a\u0000@example.test","password":"correct horse\u0000battery","displayName":"\u0000","role":"learner\u0000","title":"\u0000"}""" },
    };

    public static TheoryData<string, byte[]> InvalidUtf8() => new()
    {
        { "truncated sequence", [.. "{\"email\":\"a"u8, 0xC3, .. "@example.test\",\"title\":\"x"u8, 0xE2, 0x82, .. "\"}"u8] },
        { "overlong slash", [.. "{\"email\":\"a"u8, 0xC0, 0xAF, .. "@example.test\",\"title\":\""u8, 0xC0, 0xAF, .. "\"}"u8] },
        { "invalid byte", [.. "{\"title\":\""u8, 0xFF, 0xFE, .. "\",\"email\":\""u8, 0xFF, .. "\"}"u8] },
    };

    [Theory]
    [MemberData(nameof(Bodies))]
    public async Task Malformed_json_is_a_400_problem_that_writes_nothing(string attack, string body)
    {
        _ = attack;
        await RejectEverywhereAsync(() => new StringContent(body, Encoding.UTF8, "application/json"));
    }

    [Theory]
    [MemberData(nameof(InvalidUtf8))]
    public async Task Invalid_utf8_is_a_400_problem_that_writes_nothing(string attack, byte[] body)
    {
        _ = attack;
        await RejectEverywhereAsync(() =>
        {
            var content = new ByteArrayContent(body);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
            return content;
        });
    }

    // A 4xx on the credential routes is a security event (sensitive_4xx); on the course routes it is not.
    private async Task RejectEverywhereAsync(Func<HttpContent> content)
    {
        using var anonymous = api.Anonymous();
        await api.AssertRejectedAsync(() => anonymous.PostAsync(Register, content()), HttpStatusCode.BadRequest, "sensitive_4xx");
        await api.AssertRejectedAsync(() => anonymous.PostAsync(Token, content()), HttpStatusCode.BadRequest, "sensitive_4xx");
        await api.AssertRejectedAsync(() => api.Instructor.Client.PostAsync(Courses, content()), HttpStatusCode.BadRequest, null);
    }
}
