using System.Data.Common;
using MailKit.Security;

namespace TrainingPlatform.Api.Email;

/// <summary>
/// The connection string <c>smtp</c>: <c>Endpoint=smtp://host:port;Username=…;Password=…</c>. <c>smtp://</c> switches
/// to TLS with STARTTLS whenever the server offers it; <c>smtps://</c> speaks TLS from the first byte (implicit TLS).
/// Without a port: 25 and 465. Without a username the client does not authenticate.
/// </summary>
public sealed record SmtpConnection(string Host, int Port, SecureSocketOptions Security, string? Username, string? Password)
{
    public const string Name = "smtp";

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
        var (security, defaultPort) = endpoint.Scheme switch
        {
            "smtp" => (SecureSocketOptions.StartTlsWhenAvailable, 25),
            "smtps" => (SecureSocketOptions.SslOnConnect, 465),
            _ => throw Invalid($"the Endpoint scheme must be smtp or smtps, not {endpoint.Scheme}"),
        };
        return new SmtpConnection(endpoint.Host, endpoint.IsDefaultPort || endpoint.Port < 0 ? defaultPort : endpoint.Port, security,
            Value(parts, "Username"), Value(parts, "Password"));
    }

    /// <summary>The address only: a record's generated text would include the password.</summary>
    public override string ToString() => $"{(Security == SecureSocketOptions.SslOnConnect ? "smtps" : "smtp")}://{Host}:{Port}";

    private static string? Value(DbConnectionStringBuilder parts, string key) =>
        parts.TryGetValue(key, out var value) && value is string { Length: > 0 } text ? text : null;

    private static InvalidOperationException Invalid(string reason) =>
        new($"The connection string '{Name}' (ConnectionStrings__{Name}) is not valid: {reason}. " +
            "Expected Endpoint=smtp://host:port;Username=…;Password=… (smtps:// for implicit TLS).");
}
