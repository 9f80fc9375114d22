using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace TrainingPlatform.Tests.Api;

public class ConfigurationTests
{
    private static Dictionary<string, string?> With(string key, string? value) => new(ApiFixture.Settings) { [key] = value };

    [Fact]
    public async Task Outside_development_a_missing_signing_key_stops_start_up_with_a_clear_error()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => ApiServer.StartAsync(With("Jwt:SigningKey", ""), environment: "Production"));
        Assert.Contains("Jwt:SigningKey is not set", error.GetBaseException().Message);
        Assert.Contains("Jwt__SigningKey", error.GetBaseException().Message);
    }

    [Fact]
    public async Task A_signing_key_shorter_than_32_bytes_stops_start_up()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => ApiServer.StartAsync(With("Jwt:SigningKey", "too-short"), environment: "Production"));
        Assert.Contains("at least 32 bytes", error.GetBaseException().Message);
    }

    [Theory]
    [InlineData("Sessions:RevocationCacheSeconds", "5", "Sessions:RevocationCacheSeconds must be between 0 and 4")]
    [InlineData("Uploads:AllowedContentTypes:0", "application/x-msdownload", "whose content cannot be checked")]
    public async Task A_setting_that_would_break_a_security_promise_stops_start_up(string key, string value, string message)
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => ApiServer.StartAsync(With(key, value)));
        Assert.Contains(message, error.GetBaseException().Message);
    }

    [Fact]
    public async Task The_development_reset_sender_logs_the_token_only_at_debug()
    {
        var logs = new CapturingLoggerProvider();
        var settings = With("Logging:LogLevel:TrainingPlatform.PasswordReset", "Debug");
        await using var api = await ApiServer.StartAsync(settings, configureServices: services => services.AddSingleton<ILoggerProvider>(logs));
        using var client = api.CreateHttpClient();
        await TestAccounts.RegisterAsync(client, "forgetful@example.test");

        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsJsonAsync("/api/v1/password/reset", new { email = "forgetful@example.test" })).StatusCode);

        // Delivery runs off the request path: the record follows the answer.
        await Wait.UntilAsync(() => logs.Records.Any(r => r.Category == "TrainingPlatform.PasswordReset"), TimeSpan.FromSeconds(10), "the delivery's log record");
        var delivery = Assert.Single(logs.Records, r => r.Category == "TrainingPlatform.PasswordReset");
        Assert.Equal(LogLevel.Debug, delivery.Level);
        var token = System.Text.RegularExpressions.Regex.Match(delivery.Message, @": (\S+) \(expires").Groups[1].Value;
        Assert.NotEmpty(token);
        Assert.DoesNotContain(logs.Records, r => r.Level >= LogLevel.Information && r.Message.Contains(token));
        var confirm = await client.PostAsJsonAsync("/api/v1/password/reset/confirm", new { token, newPassword = "a remembered passphrase at last" });
        Assert.Equal(HttpStatusCode.NoContent, confirm.StatusCode);
    }

    [Fact]
    public async Task Outside_development_no_smtp_server_stops_start_up_unless_logging_is_chosen()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => ApiServer.StartAsync(ApiFixture.Settings, environment: "Production"));
        Assert.Contains("ConnectionStrings__smtp", error.GetBaseException().Message);
        Assert.Contains("PasswordReset__Sender=log", error.GetBaseException().Message);

        await using var api = await ApiServer.StartAsync(With("PasswordReset:Sender", "log"), environment: "Production");
        using var client = api.CreateHttpClient();
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsJsonAsync("/api/v1/password/reset", new { email = "nobody@example.test" })).StatusCode);
    }

    [Theory]
    [InlineData("ConnectionStrings:smtp", "Endpoint=ftp://mail.example.test", "scheme must be smtp or smtps")]
    [InlineData("ConnectionStrings:smtp", "Endpoint=mail.example.test:25", "Endpoint must be an absolute address")]
    [InlineData("ConnectionStrings:smtp", "Endpoint=smtp://127.0.0.1:25;Security=none;Username=u;Password=secret-smtp-password", "refused outside Development")]
    [InlineData("ConnectionStrings:smtp", "Endpoint=smtp://127.0.0.1:25;security=None;Username=u;Password=secret-smtp-password", "refused outside Development")]
    [InlineData("ConnectionStrings:smtp", "Endpoint=smtps://mail.example.test;Security=none", "Security may only be 'none'")]
    [InlineData("ConnectionStrings:smtp", "Endpoint=smtp://mail.example.test;Security=maybe", "Security may only be 'none'")]
    [InlineData("Email:From", "not an address", "Email:From")]
    [InlineData("PasswordReset:LinkTemplate", "https://app.example.test/reset", "PasswordReset:LinkTemplate")]
    [InlineData("PasswordReset:LinkTemplate", "/reset?token={token}", "PasswordReset:LinkTemplate")]
    [InlineData("PasswordReset:Sender", "carrier-pigeon", "must be 'smtp' or 'log'")]
    public async Task A_wrong_email_setting_stops_start_up_and_says_which(string key, string value, string expected)
    {
        var settings = new Dictionary<string, string?>(ApiFixture.Settings)
        {
            ["ConnectionStrings:smtp"] = "Endpoint=smtp://127.0.0.1:25;Username=u;Password=secret-smtp-password",
            ["Email:From"] = "TrainingPlatform <no-reply@example.test>",
            ["PasswordReset:LinkTemplate"] = MailCatcher.LinkTemplate,
            [key] = value,
        };
        var error = await Assert.ThrowsAnyAsync<Exception>(() => ApiServer.StartAsync(settings, environment: "Production"));
        Assert.Contains(expected, error.GetBaseException().Message);
        Assert.DoesNotContain("secret-smtp-password", error.ToString());
    }

    private sealed record LogRecord(string Category, LogLevel Level, string Message);

    private sealed class CapturingLoggerProvider : ILoggerProvider
    {
        public ConcurrentQueue<LogRecord> Records { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(categoryName, Records);

        public void Dispose()
        {
        }

        private sealed class Logger(string category, ConcurrentQueue<LogRecord> records) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                records.Enqueue(new LogRecord(category, logLevel, formatter(state, exception)));
        }
    }
}
