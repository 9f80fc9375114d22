using System.Globalization;

namespace TrainingPlatform.Hosting;

/// <summary>
/// smtp4dev, the mail catcher: an SMTP server that keeps every message and shows it on a web page (its API lists
/// them at <see cref="ReadyPath"/>). Kept in memory, SMTP on loopback only, IMAP and POP3 off, no settings from the
/// user's profile, so any number of catchers run side by side.
/// </summary>
public static class LocalMailCatcher
{
    /// <summary>Answers 200 once the web side serves; the SMTP side listens by then.</summary>
    public const string ReadyPath = "/api/messages";

    /// <summary>The flag for the web page's port; the address is loopback only.</summary>
    public const string WebPortFlag = "--urls=http://127.0.0.1:";

    public const string SmtpPortFlag = "--smtpport=";

    /// <summary>Everything but the two ports. <paramref name="dataDirectory"/> only holds smtp4dev's own settings file.</summary>
    public static IReadOnlyList<string> Arguments(string dataDirectory) =>
    [
        "--bindaddress=127.0.0.1", "--db=", "--imapport=", "--pop3port=", "--nousersettings",
        "--baseappdatapath=" + dataDirectory, "--messagestokeep=100000", "--sessionstokeep=100000",
    ];

    public static LocalCommand Command(string dataDirectory, int webPort, int smtpPort) => new(LocalProgram.Smtp4dev.Path,
    [
        .. Arguments(dataDirectory),
        WebPortFlag + webPort.ToString(CultureInfo.InvariantCulture),
        SmtpPortFlag + smtpPort.ToString(CultureInfo.InvariantCulture),
    ]);
}
