using TrainingPlatform.Api.Email;

namespace TrainingPlatform.Api.PasswordReset;

/// <summary>A password reset to deliver to the account's owner. The token is a secret: only its hash is stored.</summary>
public sealed record ResetMessage(string Email, string Token, DateTime ExpiresAt);

/// <summary>
/// Delivers password reset tokens, called by <see cref="DeliveryWorker"/> off the request path. The sender classifies
/// its failures: <see cref="EmailRefusedException"/> when trying again cannot help, any other exception for a failed
/// attempt worth retrying. <c>PasswordReset:Sender</c> chooses the implementation (see <see cref="PasswordResetServices"/>).
/// </summary>
public interface IResetSender
{
    Task SendAsync(ResetMessage message, CancellationToken cancellationToken);
}

/// <summary>The production sender: the reset email through the <c>smtp</c> server.</summary>
internal sealed class SmtpResetSender(SmtpMailer mailer, ResetEmail email) : IResetSender
{
    public Task SendAsync(ResetMessage message, CancellationToken cancellationToken) =>
        mailer.SendAsync(email.Compose(message), cancellationToken);
}

/// <summary>
/// The sender for Development without a mail server (or <c>PasswordReset:Sender=log</c>): writes the token at Debug
/// level to the log category <c>TrainingPlatform.PasswordReset</c> (enable it with
/// <c>Logging:LogLevel:TrainingPlatform.PasswordReset=Debug</c>). Nothing at Information or above carries the token.
/// </summary>
internal sealed class LoggingResetSender(ILoggerFactory loggerFactory) : IResetSender
{
    public const string Category = "TrainingPlatform.PasswordReset";

    private readonly ILogger _logger = loggerFactory.CreateLogger(Category);

    public Task SendAsync(ResetMessage message, CancellationToken cancellationToken)
    {
        _logger.LogDebug("Password reset token for {Email}: {Token} (expires {ExpiresAt:O}); confirm at POST /api/v1/password/reset/confirm",
            message.Email, message.Token, message.ExpiresAt);
        return Task.CompletedTask;
    }
}
