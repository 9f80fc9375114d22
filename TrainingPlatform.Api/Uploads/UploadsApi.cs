using System.Globalization;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Net.Http.Headers;
using TrainingPlatform.Api.Courses;

namespace TrainingPlatform.Api.Uploads;

/// <summary>Course materials: uploaded by the course's instructor, downloaded by them and by enrolled learners.</summary>
public static class UploadsApi
{
    public static IEndpointRouteBuilder MapUploadsApi(this IEndpointRouteBuilder app)
    {
        var settings = app.ServiceProvider.GetRequiredService<UploadSettings>();
        var uploads = app.MapGroup("/api/v1/upload").WithTags("Uploads").WithSecurityAudit().RequireOwnership();

        uploads.MapPost("", Upload)
            .DisableAntiforgery()
            .RequireRateLimiting(RateLimitPolicies.Upload)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .WithMetadata(new RequestSizeLimitAttribute(settings.MaxBytes + UploadSettings.MultipartOverheadBytes))
            .WithFormOptions(multipartBodyLengthLimit: settings.MaxBytes + UploadSettings.MultipartOverheadBytes)
            .WithOwnerQuota()
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);

        uploads.MapGet("/{id}", Download).Produces(StatusCodes.Status200OK, contentType: "application/octet-stream");

        return app;
    }

    [EndpointName("UploadMaterial")]
    [EndpointSummary("Upload a file (multipart fields `file` and `courseId`) to a course the caller teaches; its first bytes must match its type")]
    private static async Task<Results<Created<Material>, ValidationProblem, ProblemHttpResult>> Upload(
        IFormFile? file, [FromForm] string? courseId, ClaimsPrincipal principal, UploadSettings settings, CourseAccess access,
        MaterialStore materials, CancellationToken cancellationToken)
    {
        if (!FieldErrors.TryValidate(errors => Validate(courseId, file, errors), out var form, out var invalid))
        {
            return invalid;
        }
        if ((await AcceptAsync(form.File, settings, cancellationToken)).IsRefused(out var mediaType, out var unacceptable))
        {
            return unacceptable;
        }
        var userId = principal.Id();
        if ((await access.OwnedAsync(form.CourseId, userId, cancellationToken)).IsRefused(out _, out var refused))
        {
            return refused;
        }
        // The form reader has buffered the file (to disk beyond 64 KB): hash it, then stream it into the insert.
        await using var content = form.File.OpenReadStream();
        var sha256 = Convert.ToHexStringLower(await SHA256.HashDataAsync(content, cancellationToken));
        content.Position = 0;
        var material = await materials.CreateAsync(form.CourseId, userId, FileNames.Sanitize(form.File.FileName), mediaType,
            content, form.File.Length, sha256, cancellationToken);
        return TypedResults.Created($"/api/v1/upload/{material.Id}", material);
    }

    /// <summary>Both form fields present; the file itself is judged by <see cref="AcceptAsync"/>.</summary>
    private static (long CourseId, IFormFile File) Validate(string? courseId, IFormFile? file, FieldErrors errors)
    {
        if (!long.TryParse(courseId, NumberStyles.None, CultureInfo.InvariantCulture, out var course))
        {
            errors.Add("courseId", "Must be a course id.");
        }
        if (file is null)
        {
            errors.Add("file", "A file is required.");
        }
        return (course, file!); // null only when "file" is in error, and then unused
    }

    /// <summary>The file's media type (lower case) when its size, declared type and first bytes are acceptable.</summary>
    private static async Task<Checked<string>> AcceptAsync(IFormFile file, UploadSettings settings, CancellationToken cancellationToken)
    {
        if (file.Length > settings.MaxBytes)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "The file is too large.",
                detail: $"Files may be at most {settings.MaxBytes} bytes.");
        }
        if (!MediaTypeHeaderValue.TryParse(file.ContentType, out var parsed) || !settings.AllowedContentTypes.Contains(parsed.MediaType.Value!))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "This file type is not accepted.",
                detail: "Accepted types: " + string.Join(", ", settings.AllowedContentTypes.Order()) + ".");
        }
        var mediaType = parsed.MediaType.Value!.ToLowerInvariant();
        if (!await ContentSniffing.MatchesAsync(file, mediaType, cancellationToken))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "The file's content does not match its type.",
                detail: $"The file is declared as {mediaType}, but its first bytes are not those of one.");
        }
        return mediaType;
    }

    [EndpointName("DownloadMaterial")]
    [EndpointSummary("Download a file (the course's instructor, and enrolled learners while it is published; 404 for everyone else)")]
    private static async Task<Results<PushStreamHttpResult, ProblemHttpResult>> Download(
        long id, ClaimsPrincipal principal, MaterialStore materials, HttpResponse response, CancellationToken cancellationToken)
    {
        // A file the caller may not read answers exactly like a missing one, so ids reveal nothing.
        if (await materials.FindAsync(id, principal.Id(), cancellationToken) is not { MayRead: true } found)
        {
            return ApiProblems.NotFound("File");
        }
        var material = found.Material;
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers["Repr-Digest"] = $"sha-256=:{Convert.ToBase64String(Convert.FromHexString(material.Sha256))}:";
        response.ContentLength = material.SizeBytes;
        return TypedResults.Stream(body => materials.CopyContentAsync(id, material.SizeBytes, body, cancellationToken), material.ContentType, material.FileName);
    }
}
