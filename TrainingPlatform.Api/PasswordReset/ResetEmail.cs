using System.Globalization;
using System.Net;
using MimeKit;

namespace TrainingPlatform.Api.PasswordReset;

/// <summary>
/// The reset email: plain text and HTML, both with the link (<c>PasswordReset:LinkTemplate</c>, its <c>{token}</c>
/// replaced) and when it expires. The subject never carries the token: subjects show up in previews and server logs.
/// Nothing in it is text a user chose (the display name included, in the To header too): anyone may register any
/// address, so such text would arrive as the platform's own words in someone else's mailbox.
/// </summary>
public sealed class ResetEmail(MailboxAddress from, string linkTemplate, TimeProvider clock)
{
    public const string TokenPlaceholder = "{token}";
    public const string Subject = "Reset your TrainingPlatform password";

    public string LinkFor(string token) => linkTemplate.Replace(TokenPlaceholder, Uri.EscapeDataString(token), StringComparison.Ordinal);

    public MimeMessage Compose(ResetMessage reset)
    {
        var link = LinkFor(reset.Token);
        var expires = reset.ExpiresAt.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
        var minutes = Math.Max(1, (int)Math.Round((reset.ExpiresAt - clock.GetUtcNow().UtcDateTime).TotalMinutes));
        var validity = $"The link works once and expires at {expires} (in {minutes} minutes).";
        const string notYou = "If you did not ask to reset your password, ignore this email: your password stays as it is.";

        var message = new MimeMessage { Subject = Subject };
        message.From.Add(from);
        message.To.Add(new MailboxAddress("", reset.Email));
        // Marks the mail as automatic, so auto-responders do not answer it (RFC 3834).
        message.Headers.Add("Auto-Submitted", "auto-generated");
        message.Body = new BodyBuilder
        {
            TextBody = $"""
                Hello,

                Someone (hopefully you) asked to reset the password of your TrainingPlatform account. To choose a new one, open:

                {link}

                {validity}
                {notYou}
                """,
            HtmlBody = $"""
                <!DOCTYPE html>
                <html><body>
                <p>Hello,</p>
                <p>Someone (hopefully you) asked to reset the password of your TrainingPlatform account.</p>
                <p><a href="{WebUtility.HtmlEncode(link)}">Choose a new password</a></p>
                <p>{validity}</p>
                <p>{WebUtility.HtmlEncode(notYou)}</p>
                <p style="color:#666">If the button does not work, copy this address into your browser:<br>{WebUtility.HtmlEncode(link)}</p>
                </body></html>
                """,
        }.ToMessageBody();
        return message;
    }
}
