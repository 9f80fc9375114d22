using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace TrainingPlatform.Api.Email;

/// <summary>Sends a message over a fresh connection to the <c>smtp</c> server: connect, STARTTLS (required) or TLS, log in, send, quit.</summary>
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
            try
            {
                await client.ConnectAsync(connection.Host, connection.Port, connection.Security, cancellationToken);
            }
            catch (NotSupportedException) when (connection.Security == SecureSocketOptions.StartTls)
            {
                // MailKit's answer to a server without STARTTLS. Final: the next attempt meets the same server or the same attacker.
                throw new EmailRefusedException(new InvalidOperationException(
                    $"the mail server {connection} does not offer STARTTLS, so nothing was sent: the login and the message would travel in " +
                    $"plain text. Fix the server, use smtps://, or set Security={SmtpConnection.PlainText} for a server on a trusted network."));
            }
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
