namespace TrainingPlatform.Tests.Reliability;

/// <summary>The multipart form of an upload: fields <c>courseId</c> and <c>file</c> (text/plain).</summary>
public static class UploadForms
{
    /// <remarks>The file name goes by hand as RFC 5987 <c>filename*</c>: HttpClient would refuse or alter a hostile one.</remarks>
    public static MultipartFormDataContent Of(string courseId, string fileName, byte[] content)
    {
        var form = new MultipartFormDataContent { { new StringContent(courseId), "courseId" } };
        var file = new ByteArrayContent(content);
        file.Headers.ContentType = new MediaTypeHeaderValue("text/plain");
        file.Headers.TryAddWithoutValidation("Content-Disposition", $"form-data; name=\"file\"; filename*=UTF-8''{Uri.EscapeDataString(fileName)}");
        form.Add(file);
        return form;
    }
}
