using MimeKit;
using TrainingPlatform.Api.Email;

namespace TrainingPlatform.Api.PasswordReset;

/// <summary>
/// Password reset: the single-use tokens, the delivery queue, its worker, the email metrics and the sender
/// <c>PasswordReset:Sender</c> picks.
/// Outside Development, start-up fails unless the <c>smtp</c> connection string is set (with <c>Email:From</c> and
/// <c>PasswordReset:LinkTemplate</c>) or <c>PasswordReset:Sender=log</c> says explicitly that logging is enough.
/// </summary>
public static class PasswordResetServices
{
    public const string FromKey = "Email:From";

    public static IHostApplicationBuilder AddPasswordReset(this IHostApplicationBuilder builder)
    {
        var settings = builder.Configuration.GetSection(PasswordResetSettings.Section).Get<PasswordResetSettings>() ?? new PasswordResetSettings();
        var services = builder.Services;
        services.AddSingleton(settings);
        services.AddSingleton<ResetTokens>();
        services.AddSingleton<EmailMetrics>();
        services.AddSingleton<DeliveryQueue>();
        services.AddHostedService<DeliveryWorker>();

        if (UsesSmtp(builder, settings, out var connectionString))
        {
            var mailer = new SmtpMailer(SmtpConnection.Parse(connectionString).CheckedFor(builder.Environment));
            var from = From(builder.Configuration);
            var linkTemplate = LinkTemplate(settings);
            services.AddSingleton(mailer);
            services.AddSingleton(provider => new ResetEmail(from, linkTemplate, provider.GetRequiredService<TimeProvider>()));
            services.AddSingleton<IResetSender, SmtpResetSender>();
        }
        else
        {
            services.AddSingleton<IResetSender, LoggingResetSender>();
        }
        return builder;
    }

    private static bool UsesSmtp(IHostApplicationBuilder builder, PasswordResetSettings settings, out string connectionString)
    {
        connectionString = builder.Configuration.GetConnectionString(SmtpConnection.Name) ?? "";
        var configured = !string.IsNullOrWhiteSpace(connectionString);
        switch (settings.Sender)
        {
            case PasswordResetSettings.LogSender:
                return false;
            case PasswordResetSettings.SmtpSender when configured:
            case null or "" when configured:
                return true;
            case null or "" when builder.Environment.IsDevelopment():
                return false;
            case PasswordResetSettings.SmtpSender or null or "":
                throw new InvalidOperationException(
                    $"Password reset emails need an SMTP server: set the connection string '{SmtpConnection.Name}' " +
                    $"(environment variable ConnectionStrings__{SmtpConnection.Name}=Endpoint=smtp://host:587;Username=…;Password=…, smtps:// for implicit TLS), " +
                    $"with {FromKey} and {PasswordResetSettings.Section}:LinkTemplate. To only log reset tokens (at Debug level) instead, " +
                    $"set {PasswordResetSettings.Section}__Sender={PasswordResetSettings.LogSender} explicitly.");
            default:
                throw new InvalidOperationException(
                    $"{PasswordResetSettings.Section}:Sender is '{settings.Sender}': it must be " +
                    $"'{PasswordResetSettings.SmtpSender}' or '{PasswordResetSettings.LogSender}'.");
        }
    }

    private static MailboxAddress From(IConfiguration configuration) =>
        MailboxAddress.TryParse(configuration[FromKey] ?? "", out var from) && from.Address.Contains('@')
            ? from
            : throw new InvalidOperationException(
                $"{FromKey} must be the sender of reset emails, e.g. \"TrainingPlatform <no-reply@example.com>\" (environment variable Email__From).");

    private static string LinkTemplate(PasswordResetSettings settings) =>
        settings.LinkTemplate is { } template && template.Contains(ResetEmail.TokenPlaceholder, StringComparison.Ordinal)
            && Uri.TryCreate(template.Replace(ResetEmail.TokenPlaceholder, "x", StringComparison.Ordinal), UriKind.Absolute, out var link)
            && link.Scheme is "https" or "http"
            ? template
            : throw new InvalidOperationException(
                $"{PasswordResetSettings.Section}:LinkTemplate must be the absolute http(s) address of the page that sets a new password, " +
                $"with {ResetEmail.TokenPlaceholder} where the token goes, e.g. https://app.example/reset?token={ResetEmail.TokenPlaceholder} " +
                "(environment variable PasswordReset__LinkTemplate).");
}
