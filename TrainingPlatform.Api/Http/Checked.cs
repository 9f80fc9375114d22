using System.Diagnostics.CodeAnalysis;

namespace TrainingPlatform.Api.Http;

/// <summary>
/// What an access check gives a handler: the entity it may go on with, or the problem to answer instead.
/// The opening of a handler: <c>if ((await access.OwnedAsync(…)).IsRefused(out var course, out var problem)) return problem;</c>
/// </summary>
public readonly struct Checked<T>
    where T : class
{
    private readonly T? _value;
    private readonly ProblemHttpResult? _problem;

    private Checked(T? value, ProblemHttpResult? problem)
    {
        _value = value;
        _problem = problem;
    }

    public static implicit operator Checked<T>(T value) => new(value, null);

    public static implicit operator Checked<T>(ProblemHttpResult problem) => new(null, problem);

    public bool IsRefused([NotNullWhen(false)] out T? value, [NotNullWhen(true)] out ProblemHttpResult? problem)
    {
        value = _value;
        problem = _problem;
        return problem is not null;
    }
}
