using System.Buffers;
using System.Collections;
using System.Diagnostics;

namespace TrainingPlatform.ServiceDefaults;

/// <summary>
/// The id that ties a response, its log records, its trace and its error body together. A caller's id is kept
/// only when it is short and made of safe characters, so it can never inject lines or quotes into a log.
/// </summary>
public static class RequestId
{
    public const string HeaderName = "X-Request-ID";
    public const int MaxLength = 200;

    /// <summary>The tag on the request's Activity and the key in the logging scope.</summary>
    public const string Key = "request_id";

    private static readonly SearchValues<char> Allowed =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:+/=-");

    public static bool IsAcceptable(ReadOnlySpan<char> candidate) =>
        candidate.Length is > 0 and <= MaxLength && !candidate.ContainsAnyExcept(Allowed);

    /// <summary>The caller's id when acceptable, otherwise a fresh one: the trace id, which costs nothing more.</summary>
    internal static string Resolve(HttpContext context)
    {
        var incoming = context.Request.Headers[HeaderName];
        if (incoming.Count == 1 && incoming[0] is { } candidate && IsAcceptable(candidate))
        {
            return candidate;
        }
        return (Activity.Current?.TraceId ?? ActivityTraceId.CreateRandom()).ToHexString();
    }

    /// <summary>Makes the id the request's identity everywhere: header, TraceIdentifier, trace tag.</summary>
    internal static void Assign(HttpContext context, string requestId)
    {
        context.TraceIdentifier = requestId;
        context.Response.Headers[HeaderName] = requestId;
        // Again as the response starts: a response replayed from the output cache brings the header of the request
        // that filled it, which must not reach anyone else.
        context.Response.OnStarting(static state =>
        {
            var current = (HttpContext)state;
            current.Response.Headers[HeaderName] = current.TraceIdentifier;
            return Task.CompletedTask;
        }, context);
        Activity.Current?.SetTag(Key, requestId);
    }

    /// <summary>The logging scope state: one structured value, so every record of the request carries it.</summary>
    internal sealed class Scope(string requestId) : IReadOnlyList<KeyValuePair<string, object?>>
    {
        public KeyValuePair<string, object?> this[int index] =>
            index == 0 ? new(Key, requestId) : throw new ArgumentOutOfRangeException(nameof(index));

        public int Count => 1;

        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
        {
            yield return this[0];
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        public override string ToString() => $"{Key}:{requestId}";
    }
}
