namespace TrainingPlatform.Api.PasswordReset;

/// <summary>
/// The section <c>PasswordReset</c>: who sends reset emails and how hard delivery tries. The token lifetime
/// (<c>PasswordReset:TokenMinutes</c>) belongs to <see cref="ResetTokens"/>.
/// </summary>
public sealed class PasswordResetSettings
{
    public const string Section = "PasswordReset";
    public const string SmtpSender = "smtp";
    public const string LogSender = "log";

    /// <summary><c>smtp</c> or <c>log</c>; unset means smtp when the <c>smtp</c> connection string exists, else log in Development.</summary>
    public string? Sender { get; set; }

    /// <summary>The link in the email, e.g. <c>https://app.example/reset?token={token}</c>. Required with the smtp sender.</summary>
    public string? LinkTemplate { get; set; }

    public int QueueCapacity { get; set; } = 1000;

    /// <summary>Attempts per email, the first included.</summary>
    public int MaxAttempts { get; set; } = 8;

    /// <summary>The wait after the first failed attempt; it doubles after each further one, up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long shutdown keeps delivering what is queued. It must fit, with the server's own drain, in the host's
    /// shutdown timeout (30 s by default).
    /// </summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(10);

    public TimeSpan RetryDelayAfter(int failedAttempts) =>
        TimeSpan.FromTicks(Math.Min(MaxRetryDelay.Ticks, RetryDelay.Ticks * (1L << Math.Min(failedAttempts - 1, 20))));
}
