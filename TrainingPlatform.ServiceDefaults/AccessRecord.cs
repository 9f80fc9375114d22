using System.Buffers;
using System.Collections;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace TrainingPlatform.ServiceDefaults;

/// <summary>
/// The state of one access log record: the same structured fields, names and message a <c>[LoggerMessage]</c>
/// method would give any logging provider (OpenTelemetry's included), plus a typed form the console writer
/// turns into a JSON line without boxing or intermediate strings.
/// </summary>
internal readonly struct AccessRecord(
    string method, string path, int statusCode, double durationMs, string requestId, string? traceId,
    string pathTemplate, string? userId, string? clientIp) : IReadOnlyList<KeyValuePair<string, object?>>
{
    public const string OriginalFormat =
        "{method} {path} {status_code} {duration_ms} ms request_id={request_id} trace_id={trace_id} path_template={path_template} user_id={user_id} client_ip={client_ip}";

    private const string NullText = "(null)";

    public int Count => 10;

    public KeyValuePair<string, object?> this[int index] => index switch
    {
        0 => new("method", method),
        1 => new("path", path),
        2 => new("status_code", statusCode),
        3 => new("duration_ms", durationMs),
        4 => new("request_id", requestId),
        5 => new("trace_id", traceId),
        6 => new("path_template", pathTemplate),
        7 => new("user_id", userId),
        8 => new("client_ip", clientIp),
        9 => new("{OriginalFormat}", OriginalFormat),
        _ => throw new ArgumentOutOfRangeException(nameof(index)),
    };

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
    {
        for (var i = 0; i < Count; i++)
        {
            yield return this[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>The rendered message, as <see cref="OriginalFormat"/> with the values in place (null as "(null)").</summary>
    public override string ToString()
    {
        var buffer = RentMessage(out var length);
        try
        {
            return new string(buffer, 0, length);
        }
        finally
        {
            ArrayPool<char>.Shared.Return(buffer);
        }
    }

    /// <summary>The rendered message in a pooled buffer (return it to <see cref="ArrayPool{T}.Shared"/>).</summary>
    public char[] RentMessage(out int length)
    {
        // Paths are the only long part; a buffer twice as large is tried until the message fits.
        for (var size = 512; ; size *= 2)
        {
            var buffer = ArrayPool<char>.Shared.Rent(size);
            if (TryFormatMessage(buffer, out length))
            {
                return buffer;
            }
            ArrayPool<char>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// The record as the JSON console formatter writes it with scopes off: EventId, LogLevel, Category, Message,
    /// then State with every field in order.
    /// </summary>
    public void WriteJson(Utf8JsonWriter writer, ReadOnlySpan<char> message)
    {
        writer.WriteString("Message", message);
        writer.WriteStartObject("State");
        writer.WriteString("method", method);
        writer.WriteString("path", path);
        writer.WriteNumber("status_code", statusCode);
        writer.WriteNumber("duration_ms", durationMs);
        writer.WriteString("request_id", requestId);
        WriteStringOrNull(writer, "trace_id", traceId);
        writer.WriteString("path_template", pathTemplate);
        WriteStringOrNull(writer, "user_id", userId);
        WriteStringOrNull(writer, "client_ip", clientIp);
        writer.WriteString("{OriginalFormat}", OriginalFormat);
        writer.WriteEndObject();
    }

    private bool TryFormatMessage(Span<char> destination, out int written) =>
        destination.TryWrite(CultureInfo.InvariantCulture,
            $"{method} {InMessage(path)} {statusCode} {durationMs} ms request_id={requestId} trace_id={traceId ?? NullText} path_template={pathTemplate} user_id={InMessage(userId) ?? NullText} client_ip={clientIp ?? NullText}",
            out written);

    /// <summary>
    /// A value as the message text shows it: spaces, quotes, controls and format characters (bidi among them)
    /// percent-encoded as UTF-8, so a path like <c>/me 401 client_ip=6.6.6.6</c> cannot plant a field before the real
    /// one. The structured fields keep the value as it is. Unchanged (no copy) when nothing needs encoding.
    /// </summary>
    internal static string? InMessage(string? value)
    {
        if (value is null || !NeedsEncoding(value))
        {
            return value;
        }
        var text = new StringBuilder(value.Length + 16);
        Span<byte> utf8 = stackalloc byte[4];
        foreach (var rune in value.EnumerateRunes())
        {
            if (!Forges(rune))
            {
                text.Append(rune.ToString());
                continue;
            }
            foreach (var b in utf8[..rune.EncodeToUtf8(utf8)])
            {
                text.Append(CultureInfo.InvariantCulture, $"%{b:X2}");
            }
        }
        return text.ToString();
    }

    private static bool NeedsEncoding(string value)
    {
        foreach (var rune in value.EnumerateRunes())
        {
            if (Forges(rune))
            {
                return true;
            }
        }
        return false;
    }

    private static bool Forges(Rune rune) =>
        rune.Value == '"' || Rune.IsWhiteSpace(rune) || Rune.IsControl(rune)
        || Rune.GetUnicodeCategory(rune) is UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator;

    private static void WriteStringOrNull(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is null)
        {
            writer.WriteNull(name);
        }
        else
        {
            writer.WriteString(name, value);
        }
    }
}
