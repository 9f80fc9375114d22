namespace TrainingPlatform.Api.Accounts;

/// <summary>A password reset to deliver to the account's owner. The token is a secret: only its hash is stored.</summary>
public sealed record PasswordResetMessage(string Email, string DisplayName, string Token, DateTime ExpiresAt);

/// <summary>Delivers password reset tokens (an email service in production). Replace the registration to plug one in.</summary>
public interface IPasswordResetSender
{
    Task SendAsync(PasswordResetMessage message, CancellationToken cancellationToken);
}

/// <summary>
/// The default sender, for development: writes the token at Debug level to the log category
/// <c>TrainingPlatform.PasswordReset</c> (enable it with <c>Logging:LogLevel:TrainingPlatform.PasswordReset=Debug</c>).
/// Nothing at Information or above carries the token.
/// </summary>
internal sealed class LoggingPasswordResetSender(ILoggerFactory loggerFactory) : IPasswordResetSender
{
    public const string Category = "TrainingPlatform.PasswordReset";

    private readonly ILogger _logger = loggerFactory.CreateLogger(Category);

    public Task SendAsync(PasswordResetMessage message, CancellationToken cancellationToken)
    {
        _logger.LogDebug("Password reset token for {Email}: {Token} (expires {ExpiresAt:O}); confirm at POST /api/v1/password/reset/confirm",
            message.Email, message.Token, message.ExpiresAt);
        return Task.CompletedTask;
    }
}
