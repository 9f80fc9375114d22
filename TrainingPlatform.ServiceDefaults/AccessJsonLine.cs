using System.Buffers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace TrainingPlatform.ServiceDefaults;

/// <summary>
/// The access record's console line with the JSON formatter and scopes off, written straight into UTF-8 (see
/// <see cref="ConsoleLines"/>); a test holds it to the framework formatter's line byte for byte.
/// </summary>
internal static class AccessJsonLine
{
    [ThreadStatic]
    private static (JsonConsoleFormatterOptions Options, Utf8JsonWriter Writer)? t_json;

    /// <summary>The JSON console formatter's line for an access record (its <c>Write</c>, without the detours).</summary>
    public static void Write(ArrayBufferWriter<byte> buffer, JsonConsoleFormatterOptions options, string category,
        LogLevel level, EventId eventId, AccessRecord record)
    {
        var message = record.RentMessage(out var length);
        try
        {
            // One writer per thread, made again only when the formatter's options are reloaded.
            if (t_json is not ({ } cachedOptions, { } writer) || !ReferenceEquals(cachedOptions, options))
            {
                writer = new Utf8JsonWriter(buffer, options.JsonWriterOptions);
                t_json = (options, writer);
            }
            writer.Reset(buffer);
            writer.WriteStartObject();
            if (options.TimestampFormat is { } timestampFormat)
            {
                var now = options.UseUtcTimestamp ? DateTimeOffset.UtcNow : DateTimeOffset.Now;
                writer.WriteString("Timestamp", now.ToString(timestampFormat));
            }
            writer.WriteNumber("EventId", eventId.Id);
            writer.WriteString("LogLevel", LevelName(level));
            writer.WriteString("Category", category);
            record.WriteJson(writer, message.AsSpan(0, length));
            writer.WriteEndObject();
            writer.Flush();
            Encoding.UTF8.GetBytes(Environment.NewLine, buffer);
        }
        finally
        {
            ArrayPool<char>.Shared.Return(message);
        }
    }

    private static string LevelName(LogLevel level) => level switch
    {
        LogLevel.Trace => "Trace",
        LogLevel.Debug => "Debug",
        LogLevel.Information => "Information",
        LogLevel.Warning => "Warning",
        LogLevel.Error => "Error",
        LogLevel.Critical => "Critical",
        _ => level.ToString(),
    };
}
