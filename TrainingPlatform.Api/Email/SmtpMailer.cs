using MailKit.Net.Smtp;
using MimeKit;

namespace TrainingPlatform.Api.Email;

/// <summary>Sends a message over a fresh connection to the <c>smtp</c> server: connect, STARTTLS or TLS, log in, send, quit.</summary>
public sealed class SmtpMailer(SmtpConnection connection)
{
    // Each network step (connect, each command) gives up after this long; a hung server then counts as a failed attempt.
    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(30);

    public SmtpConnection Connection => connection;

    /// <summary>Sends <paramref name="message"/>; a 5xx answer throws <see cref="EmailRefusedException"/>, any other failure its own exception.</summary>
    public async Task SendAsync(MimeMessage message, CancellationToken cancellationToken)
    {
        using var client = new SmtpClient { Timeout = (int)StepTimeout.TotalMilliseconds };
        try
        {
            await client.ConnectAsync(connection.Host, connection.Port, connection.Security, cancellationToken);
            if (connection.Username is { } username)
            {
                await client.AuthenticateAsync(username, connection.Password ?? "", cancellationToken);
            }
            await client.SendAsync(message, cancellationToken);
            await client.DisconnectAsync(quit: true, cancellationToken);
        }
        catch (SmtpCommandException refusal) when ((int)refusal.StatusCode >= 500)
        {
            throw new EmailRefusedException(refusal);
        }
    }
}
