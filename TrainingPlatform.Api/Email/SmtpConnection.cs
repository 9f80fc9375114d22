using System.Data.Common;
using MailKit.Security;

namespace TrainingPlatform.Api.Email;

/// <summary>
/// The connection string <c>smtp</c>: <c>Endpoint=smtp://host:port;Username=…;Password=…</c>. <c>smtp://</c> requires
/// STARTTLS (a server that does not offer it gets nothing: anyone on the path could have stripped it to read the login
/// and the reset links); <c>smtps://</c> speaks TLS from the first byte (implicit TLS). Plain SMTP only when the
/// connection string says so with <c>Security=none</c> (a local mail catcher). Without a port: 25 and 465. Without a
/// username the client does not authenticate.
/// </summary>
public sealed record SmtpConnection(string Host, int Port, SecureSocketOptions Security, string? Username, string? Password)
{
    public const string Name = "smtp";
    public const string PlainText = "none";

    public static SmtpConnection Parse(string connectionString)
    {
        DbConnectionStringBuilder parts;
        try
        {
            parts = new DbConnectionStringBuilder { ConnectionString = connectionString };
        }
        catch (ArgumentException)
        {
            // The text is not repeated: it may hold the password.
            throw Invalid("it is not a list of Key=Value pairs separated by ';'");
        }
        if (!parts.TryGetValue("Endpoint", out var endpointValue)
            || !Uri.TryCreate(endpointValue as string, UriKind.Absolute, out var endpoint)
            || string.IsNullOrEmpty(endpoint.Host))
        {
            throw Invalid("Endpoint must be an absolute address such as smtp://mail.example.com:587");
        }
        var (security, defaultPort) = (endpoint.Scheme, Value(parts, "Security")?.ToLowerInvariant()) switch
        {
            ("smtp", null) => (SecureSocketOptions.StartTls, 25),
            ("smtp", PlainText) => (SecureSocketOptions.None, 25),
            ("smtps", null) => (SecureSocketOptions.SslOnConnect, 465),
            ("smtp" or "smtps", { } other) => throw Invalid(
                $"Security may only be '{PlainText}' (plain SMTP, with smtp://), not '{other}'; without it smtp:// requires STARTTLS and smtps:// is implicit TLS"),
            _ => throw Invalid($"the Endpoint scheme must be smtp or smtps, not {endpoint.Scheme}"),
        };
        return new SmtpConnection(endpoint.Host, endpoint.IsDefaultPort || endpoint.Port < 0 ? defaultPort : endpoint.Port, security,
            Value(parts, "Username"), Value(parts, "Password"));
    }

    public bool IsPlainText => Security == SecureSocketOptions.None;

    /// <summary>
    /// Start-up check: outside Development a login never travels in plain text, whatever the connection string says.
    /// </summary>
    public SmtpConnection CheckedFor(IHostEnvironment environment) =>
        IsPlainText && Username is not null && !environment.IsDevelopment()
            ? throw new InvalidOperationException(
                $"The connection string '{Name}' (ConnectionStrings__{Name}) sends the SMTP login in plain text (Security={PlainText}) " +
                $"to {this}, which is refused outside Development: remove Security={PlainText} so that STARTTLS is required, " +
                "use smtps:// for implicit TLS, or drop Username and Password for a server that needs no login.")
            : this;

    /// <summary>The address only: a record's generated text would include the password.</summary>
    public override string ToString() =>
        $"{(Security == SecureSocketOptions.SslOnConnect ? "smtps" : "smtp")}://{Host}:{Port}{(IsPlainText ? $" (Security={PlainText})" : "")}";

    private static string? Value(DbConnectionStringBuilder parts, string key) =>
        parts.TryGetValue(key, out var value) && value is string { Length: > 0 } text ? text : null;

    private static InvalidOperationException Invalid(string reason) =>
        new($"The connection string '{Name}' (ConnectionStrings__{Name}) is not valid: {reason}. " +
            "Expected Endpoint=smtp://host:port;Username=…;Password=… (STARTTLS required; smtps:// for implicit TLS; " +
            $"Security={PlainText} for plain SMTP, a local mail catcher).");
}
