using System.Collections.Concurrent;
using System.Net.Sockets;

namespace TrainingPlatform.Tests.Infrastructure;

/// <summary>
/// A small SMTP relay on a loopback port of its own, for what smtp4dev cannot play: it defers (451, as greylisting
/// does) every recipient of one domain, for ever, refuses for good (550) every recipient of another if given, and
/// accepts the rest. Plain SMTP, no login: the API reaches it with
/// <c>Security=none</c>. It runs in the test process and stops when disposed.
/// </summary>
public sealed class DeferringRelay : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly string _deferredSuffix;
    private readonly string? _refusedSuffix;
    private readonly Task _accepting;
    private int _deferrals;
    private int _refusals;

    public DeferringRelay(string deferredDomain, string? refusedDomain = null)
    {
        _deferredSuffix = "@" + deferredDomain;
        _refusedSuffix = refusedDomain is null ? null : "@" + refusedDomain;
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = AcceptAsync();
    }

    public int Port { get; }

    /// <summary>The API's <c>smtp</c> connection string for this relay.</summary>
    public string ConnectionString => $"Endpoint=smtp://127.0.0.1:{Port};Security=none";

    /// <summary>Recipients of messages the relay accepted, in order.</summary>
    public ConcurrentQueue<string> Delivered { get; } = new();

    /// <summary>How many times a recipient of the deferred domain was answered 451.</summary>
    public int Deferrals => Volatile.Read(ref _deferrals);

    /// <summary>How many times a recipient of the refused domain was answered 550.</summary>
    public int Refusals => Volatile.Read(ref _refusals);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (true)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        try
        {
            var stream = client.GetStream();
            using var reader = new StreamReader(stream, Encoding.ASCII);
            await using var writer = new StreamWriter(stream, Encoding.ASCII) { NewLine = "\r\n", AutoFlush = true };
            await writer.WriteLineAsync("220 relay.test ESMTP");
            var recipients = new List<string>();
            while (await reader.ReadLineAsync(_stop.Token) is { } line)
            {
                switch (line.Split(' ', 2)[0].ToUpperInvariant())
                {
                    case "EHLO" or "HELO":
                        await writer.WriteLineAsync("250 relay.test");
                        break;
                    case "MAIL" or "RSET":
                        recipients.Clear();
                        await writer.WriteLineAsync("250 OK");
                        break;
                    case "RCPT":
                        var address = line[(line.IndexOf('<') + 1)..line.LastIndexOf('>')];
                        if (_refusedSuffix is not null && address.EndsWith(_refusedSuffix, StringComparison.OrdinalIgnoreCase))
                        {
                            Interlocked.Increment(ref _refusals);
                            await writer.WriteLineAsync("550 5.1.1 No such user here");
                        }
                        else if (address.EndsWith(_deferredSuffix, StringComparison.OrdinalIgnoreCase))
                        {
                            Interlocked.Increment(ref _deferrals);
                            await writer.WriteLineAsync("451 4.7.1 Greylisted, try again later");
                        }
                        else
                        {
                            recipients.Add(address);
                            await writer.WriteLineAsync("250 OK");
                        }
                        break;
                    case "DATA" when recipients.Count > 0:
                        await writer.WriteLineAsync("354 End data with <CR><LF>.<CR><LF>");
                        while (await reader.ReadLineAsync(_stop.Token) is { } data && data != ".")
                        {
                        }
                        foreach (var recipient in recipients)
                        {
                            Delivered.Enqueue(recipient);
                        }
                        await writer.WriteLineAsync("250 Queued");
                        break;
                    case "DATA":
                        await writer.WriteLineAsync("554 No valid recipients");
                        break;
                    case "QUIT":
                        await writer.WriteLineAsync("221 Bye");
                        return;
                    default:
                        await writer.WriteLineAsync("502 Command not implemented");
                        break;
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException)
        {
            // The relay is stopping, or the client went away.
        }
    }
}
