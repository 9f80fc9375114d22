using System.Diagnostics.CodeAnalysis;

namespace TrainingPlatform.Api.Http;

/// <summary>
/// A request body that knows its own field rules: it checks its fields into <see cref="FieldErrors"/> and gives the
/// normalised values (trimmed, lower-cased, defaulted) that its handler goes on with.
/// </summary>
public interface IValidatable<TValid>
{
    TValid Validate(FieldErrors errors);
}

public static class Validation
{
    /// <summary>
    /// The opening of every handler with a body: <c>if (!request.TryValidate(out var valid, out var problem)) return problem;</c>
    /// </summary>
    public static bool TryValidate<TValid>(this IValidatable<TValid> request, out TValid valid, [NotNullWhen(false)] out ValidationProblem? problem) =>
        FieldErrors.TryValidate(request.Validate, out valid, out problem);
}
