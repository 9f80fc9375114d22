namespace TrainingPlatform.Tests.Api;

/// <summary>Reads a password reset email the way its reader would: the link in the text, the same link and the expiry in the HTML.</summary>
public static partial class ResetEmails
{
    /// <summary>The token in the email's link, after checking what every reset email must (and must not) show.</summary>
    public static string Token(CaughtMessage email)
    {
        var link = Link.Match(email.Text);
        Assert.True(link.Success, $"no reset link in the text body:\n{email.Text}");
        var token = Uri.UnescapeDataString(link.Groups["token"].Value);
        Assert.True(token.Length >= 32, $"a short token: {token}");

        Assert.Contains(link.Value, email.Html);
        var expiry = ExpiryPattern().Match(email.Text);
        Assert.True(expiry.Success, $"no expiry in the text body:\n{email.Text}");
        Assert.Contains(expiry.Value, email.Html);
        var expiresAt = DateTime.ParseExact(expiry.Groups["at"].Value, "yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(expiresAt, DateTime.UtcNow.AddMinutes(1), DateTime.UtcNow.AddMinutes(31));

        Assert.DoesNotContain(token, email.Subject);
        Assert.DoesNotContain(link.Groups["token"].Value, email.Subject);
        Assert.Equal("auto-generated", email.Headers["Auto-Submitted"]);
        return token;
    }

    private static readonly Regex Link = new(
        Regex.Escape(MailCatcher.LinkTemplate).Replace(Regex.Escape("{token}"), "(?<token>[A-Za-z0-9%_.~-]+)", StringComparison.Ordinal));

    [GeneratedRegex(@"expires at (?<at>\d{4}-\d\d-\d\d \d\d:\d\d) UTC")]
    private static partial Regex ExpiryPattern();
}
