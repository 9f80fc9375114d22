using System.Globalization;
using TrainingPlatform.Tests.Api;

namespace TrainingPlatform.Tests.Reliability;

/// <summary>
/// Hostile upload file names end as one harmless name, in the database and in the download's Content-Disposition:
/// no paths, no control characters, and no invisible format characters that would make it display as another name.
/// (The API's UploadsTests check the stored names case by case; this follows them out again.)
/// </summary>
[Collection(ReliabilityCollection.Name)]
public class UploadNameTests(HostileApi api)
{
    [Theory]
    [InlineData("../../../../etc/passwd")]
    [InlineData("..\\..\\..\\windows\\win.ini")]
    [InlineData("/absolute/path/notes.txt")]
    [InlineData("notes\0.txt.exe")]
    [InlineData("line\r\nSet-Cookie: a=b.txt")]
    [InlineData("..")]
    [InlineData("%2e%2e%2f%2e%2e%2fsecret.txt")]
    [InlineData("notes\u202Efdp.exe")]
    [InlineData("\u2066report\u2069\u200B.pdf\u2028.exe")]
    public async Task A_hostile_file_name_is_stored_and_served_without_paths_or_control_or_format_characters(string fileName)
    {
        var course = await api.Instructor.CreateCourseAsync();
        var uploaded = await api.Instructor.Client.PostAsync("/api/v1/upload", UploadForms.Of(course.Id.ToString(), fileName, "notes"u8.ToArray()));

        Assert.Equal(HttpStatusCode.Created, uploaded.StatusCode);
        var material = (await uploaded.Content.ReadFromJsonAsync<Material>())!;
        AssertHarmless(material.FileName);
        using var download = await api.Instructor.Client.GetAsync($"/api/v1/upload/{material.Id}");
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        var served = download.Content.Headers.ContentDisposition!;
        AssertHarmless(served.FileNameStar ?? served.FileName!.Trim('"'));
        Assert.Equal("notes", await download.Content.ReadAsStringAsync());
    }

    private static void AssertHarmless(string name)
    {
        Assert.NotEmpty(name);
        Assert.DoesNotContain('/', name);
        Assert.DoesNotContain('\\', name);
        Assert.DoesNotContain(name, char.IsControl);
        Assert.DoesNotContain(name, c => CharUnicodeInfo.GetUnicodeCategory(c)
            is UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator);
        Assert.NotEqual("..", name);
        Assert.False(name.StartsWith('.'), name);
    }

    private sealed record Material(long Id, string FileName);
}
