using System.Globalization;
using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Net.Http.Headers;
using TrainingPlatform.Api.Accounts;
using TrainingPlatform.Api.Courses;
using TrainingPlatform.Api.Http;

namespace TrainingPlatform.Api.Uploads;

/// <summary>Course materials: uploaded by the course's instructor, downloaded by them and by enrolled learners.</summary>
public static class UploadsApi
{
    public static IEndpointRouteBuilder MapUploadsApi(this IEndpointRouteBuilder app)
    {
        var settings = app.ServiceProvider.GetRequiredService<UploadSettings>();
        var uploads = app.MapGroup("/api/v1/upload").WithTags("Uploads")
            .RequireAuthorization()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);

        uploads.MapPost("", Upload)
            .WithName("UploadMaterial")
            .WithSummary("Upload a file (multipart fields `file` and `courseId`) to a course the caller teaches")
            .DisableAntiforgery()
            .RequireRateLimiting(AccountRateLimits.Upload)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .WithMetadata(new RequestSizeLimitAttribute(settings.MaxBytes + UploadSettings.MultipartOverheadBytes))
            .WithFormOptions(multipartBodyLengthLimit: settings.MaxBytes + UploadSettings.MultipartOverheadBytes)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);

        uploads.MapGet("/{id}", Download)
            .WithName("DownloadMaterial")
            .WithSummary("Download a file (the course's instructor and enrolled learners)")
            .Produces(StatusCodes.Status200OK, contentType: "application/octet-stream");

        return app;
    }

    private static async Task<Results<Created<Material>, ValidationProblem, ProblemHttpResult>> Upload(
        IFormFile? file, [FromForm] string? courseId, ClaimsPrincipal principal, UploadSettings settings, CourseAccess access,
        MaterialStore materials, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        if (!long.TryParse(courseId, NumberStyles.None, CultureInfo.InvariantCulture, out var course))
        {
            errors.Add("courseId", "Must be a course id.");
        }
        if (file is null)
        {
            errors.Add("file", "A file is required.");
        }
        if (errors.Any)
        {
            return errors.ToProblem();
        }
        if (file!.Length > settings.MaxBytes)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "The file is too large.",
                detail: $"Files may be at most {settings.MaxBytes} bytes.");
        }
        if (!MediaTypeHeaderValue.TryParse(file.ContentType, out var mediaType) || !settings.AllowedContentTypes.Contains(mediaType.MediaType.Value!))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "This file type is not accepted.",
                detail: "Accepted types: " + string.Join(", ", settings.AllowedContentTypes.Order()) + ".");
        }
        var userId = principal.Id();
        var (owned, problem) = await access.OwnedAsync(course, userId, cancellationToken);
        if (owned is null)
        {
            return problem!;
        }
        var content = new byte[file.Length];
        await using (var stream = file.OpenReadStream())
        {
            await stream.ReadExactlyAsync(content, cancellationToken);
        }
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(content));
        var material = await materials.CreateAsync(course, userId, FileNames.Sanitize(file.FileName), mediaType.MediaType.Value!.ToLowerInvariant(),
            content, sha256, cancellationToken);
        return TypedResults.Created($"/api/v1/upload/{material.Id}", material);
    }

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> Download(
        long id, ClaimsPrincipal principal, MaterialStore materials, HttpResponse response, CancellationToken cancellationToken)
    {
        if (await materials.FindAsync(id, principal.Id(), cancellationToken) is not { } found)
        {
            return ApiProblems.NotFound("File");
        }
        if (!found.IsOwner && !found.IsEnrolled)
        {
            return ApiProblems.Forbidden("Only the course's instructor and enrolled learners may download its materials.");
        }
        var material = found.Material;
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers["Repr-Digest"] = $"sha-256=:{Convert.ToBase64String(Convert.FromHexString(material.Sha256))}:";
        return TypedResults.File(await materials.ContentAsync(id, cancellationToken), material.ContentType, material.FileName);
    }
}
