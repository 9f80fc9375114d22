using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace TrainingPlatform.Api.Http;

/// <summary>
/// Turns request binding failures (malformed JSON, wrong JSON types, unparsable ids or paging values, bodies over
/// the size limit, unsupported media types) into problem responses with the status the framework chose, and field
/// errors where the failing field is known, instead of a 500.
/// </summary>
internal sealed partial class BadRequestHandler : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var status = exception switch
        {
            BadHttpRequestException bad => bad.StatusCode,
            // Multipart bodies over the form limits.
            InvalidDataException => StatusCodes.Status413PayloadTooLarge,
            _ => 0,
        };
        if (status == 0 || httpContext.Response.HasStarted)
        {
            return false;
        }
        httpContext.Response.StatusCode = status;
        ProblemDetails problem = status == StatusCodes.Status400BadRequest
            ? new HttpValidationProblemDetails(FieldErrorsOf(exception)) { Title = "One or more validation errors occurred." }
            : new ProblemDetails { Title = TitleFor(status) };
        problem.Status = status;
        await ProblemResponses.WriteAsync(httpContext, problem);
        return true;
    }

    private static Dictionary<string, string[]> FieldErrorsOf(Exception exception)
    {
        if (exception.InnerException is JsonException json)
        {
            return json.Path is { Length: > 2 } path && json.Message.Contains("could not be converted", StringComparison.Ordinal)
                ? new() { [path[2..]] = ["The value has the wrong type or format."] }
                : new() { ["body"] = ["The request body is not valid JSON."] };
        }
        var parameter = ParameterName().Match(exception.Message);
        return parameter.Success
            ? new() { [parameter.Groups["name"].Value] = ["The value is missing or not valid."] }
            : new() { ["body"] = ["The request is not valid."] };
    }

    private static string TitleFor(int status) => status switch
    {
        StatusCodes.Status413PayloadTooLarge => "The request body is too large.",
        StatusCodes.Status415UnsupportedMediaType => "The request's content type is not supported.",
        _ => "The request could not be processed.",
    };

    // The framework's binding messages name the parameter as "Type name", e.g. Failed to bind parameter "long id" from "x".
    [GeneratedRegex(@"parameter ""(?:[^""]*\s)?(?<name>[A-Za-z_][A-Za-z0-9_]*)""", RegexOptions.CultureInvariant)]
    private static partial Regex ParameterName();
}
