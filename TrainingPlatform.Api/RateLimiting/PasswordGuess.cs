namespace TrainingPlatform.Api.RateLimiting;

/// <summary>
/// One request's password check, as its handler reports it: a wrong password keeps the guess the brake counted
/// (<see cref="RateLimitPolicies.WithPasswordGuessBrake"/>); anything else gives it back.
/// </summary>
public sealed class PasswordGuess
{
    public bool IsWrong { get; private set; }

    public void Wrong() => IsWrong = true;
}
