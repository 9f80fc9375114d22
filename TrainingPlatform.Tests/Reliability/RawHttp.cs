using System.Net.Sockets;

namespace TrainingPlatform.Tests.Reliability;

/// <summary>
/// HTTP/1.1 written byte by byte over a socket, for requests HttpClient refuses to send (bare CR, NUL, folded
/// headers, a lying Content-Length). Reads one response: status, headers, and the body its Content-Length announces.
/// </summary>
public static class RawHttp
{
    public sealed record Response(int Status, IReadOnlyDictionary<string, string> Headers, string Body)
    {
        public string? Header(string name) => Headers.TryGetValue(name.ToLowerInvariant(), out var value) ? value : null;
    }

    public static async Task<Response> SendAsync(Uri server, string head, byte[]? body = null)
    {
        using var client = new TcpClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await client.ConnectAsync(server.Host, server.Port, timeout.Token);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.Latin1.GetBytes(head), timeout.Token);
        if (body is not null)
        {
            try
            {
                await stream.WriteAsync(body, timeout.Token);
            }
            catch (IOException)
            {
                // The server may answer and close before reading everything it was offered.
            }
        }

        var received = new MemoryStream();
        var buffer = new byte[8192];
        while (true)
        {
            var text = Encoding.Latin1.GetString(received.GetBuffer(), 0, (int)received.Length);
            var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (end >= 0 && Parse(text, end) is { } complete)
            {
                return complete;
            }
            int read;
            try
            {
                read = await stream.ReadAsync(buffer, timeout.Token);
            }
            catch (IOException) when (end >= 0)
            {
                read = 0;
            }
            if (read == 0)
            {
                Assert.True(end >= 0, $"the connection closed without a response: {text}");
                return Parse(text, end, closed: true)!;
            }
            received.Write(buffer, 0, read);
        }
    }

    private static Response? Parse(string text, int headerEnd, bool closed = false)
    {
        var lines = text[..headerEnd].Split("\r\n");
        var status = int.Parse(lines[0].Split(' ')[1]);
        var headers = lines.Skip(1).Select(line => line.Split(':', 2))
            .GroupBy(pair => pair[0].Trim().ToLowerInvariant())
            .ToDictionary(group => group.Key, group => string.Join(",", group.Select(pair => pair[1].Trim())));
        var body = text[(headerEnd + 4)..];
        if (headers.GetValueOrDefault("transfer-encoding") == "chunked")
        {
            return body.EndsWith("0\r\n\r\n", StringComparison.Ordinal) || closed ? new Response(status, headers, Dechunk(body)) : null;
        }
        var length = headers.TryGetValue("content-length", out var declared) ? int.Parse(declared) : 0;
        if (body.Length < length && !closed)
        {
            return null;
        }
        return new Response(status, headers, body);
    }

    private static string Dechunk(string chunked)
    {
        var body = new StringBuilder();
        var at = 0;
        while (at < chunked.Length)
        {
            var lineEnd = chunked.IndexOf("\r\n", at, StringComparison.Ordinal);
            var size = Convert.ToInt32(chunked[at..lineEnd], 16);
            if (size == 0)
            {
                break;
            }
            body.Append(chunked, lineEnd + 2, size);
            at = lineEnd + 2 + size + 2;
        }
        return body.ToString();
    }
}
