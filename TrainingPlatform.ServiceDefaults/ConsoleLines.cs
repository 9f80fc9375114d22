using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace TrainingPlatform.ServiceDefaults;

/// <summary>
/// The console logger, with the same configuration (<c>Logging:Console:FormatterName</c>, formatter options,
/// filters under <c>Logging:Console</c>) and output, written for a record per request: every record is formatted
/// on the caller's thread into a pooled UTF-8 buffer and queued; one background loop writes whatever is queued
/// with a single write to standard output. The framework's console logger writes each record in pieces of 256
/// characters, several system calls per line, which is most of what an access line per request used to cost.
/// </summary>
/// <remarks>
/// With the JSON formatter and scopes off (the production setting), access records take a direct path that
/// writes the formatter's exact line without boxing a value or building a string. All other records go through
/// the configured <see cref="ConsoleFormatter"/>, unchanged. One queue keeps every record in the order written.
/// The queue holds <c>Logging:Console:MaxQueueLength</c> records (the framework's option, default 2,500). When it is
/// full, access records are dropped and counted in <c>access_log_dropped_total</c> (the request never waits for the
/// console), while other records wait for room, as the framework's logger does.
/// Kept rather than ZLogger 2.6.2 (tried side by side, ops/docs/performance.md): its JSON line orders and omits
/// fields differently, and its full buffer drops every category alike and uncounted.
/// </remarks>
[ProviderAlias("Console")]
internal sealed class ConsoleLines : ILoggerProvider, ISupportExternalScope
{
    private const int BatchBytes = 64 * 1024;

    /// <summary>
    /// How long the writer lets records gather after a write before it looks again: under load a write then carries
    /// dozens of lines instead of one, and a line reaches the console at most this much later.
    /// </summary>
    private static readonly TimeSpan Linger = TimeSpan.FromMilliseconds(2);

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    [ThreadStatic]
    private static StringWriter? t_text;

    private readonly Channel<Line> _queue;
    private readonly IOptionsMonitor<ConsoleLoggerOptions> _options;
    private readonly IOptionsMonitor<JsonConsoleFormatterOptions> _jsonOptions;
    private readonly Dictionary<string, ConsoleFormatter> _formatters;
    private readonly ServiceMetrics _metrics;
    private readonly ConsoleOutput _output;
    private readonly Task _writing;
    private IExternalScopeProvider? _scopes;

    public ConsoleLines(IOptionsMonitor<ConsoleLoggerOptions> options, IOptionsMonitor<JsonConsoleFormatterOptions> jsonOptions,
        IEnumerable<ConsoleFormatter> formatters, ServiceMetrics metrics)
    {
        _options = options;
        _queue = Channel.CreateBounded<Line>(new BoundedChannelOptions(Math.Max(1, options.CurrentValue.MaxQueueLength))
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _jsonOptions = jsonOptions;
        _formatters = formatters.ToDictionary(formatter => formatter.Name, StringComparer.OrdinalIgnoreCase);
        _metrics = metrics;
        _output = ConsoleOutput.Current();
        _writing = Task.Factory.StartNew(WriteLoopAsync, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
    }

    /// <summary>Takes the place of the framework's console logger, when the host has one.</summary>
    internal static void ReplaceConsoleLogger(IHostApplicationBuilder builder)
    {
        var console = builder.Services.FirstOrDefault(service =>
            service.ServiceType == typeof(ILoggerProvider) && service.ImplementationType == typeof(ConsoleLoggerProvider));
        if (console is null)
        {
            return;
        }
        builder.Services.Remove(console);
        builder.Services.AddSingleton<ILoggerProvider, ConsoleLines>();
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    /// <summary>Writes what is queued (bounded in time), then releases the output.</summary>
    public void Dispose()
    {
        _queue.Writer.TryComplete();
        _writing.Wait(TimeSpan.FromSeconds(5));
    }

    private void Log<TState>(string category, LogLevel level, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var options = _options.CurrentValue;
        var formatterName = options.FormatterName ?? ConsoleFormatterNames.Simple;
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(1024);
        buffer.ResetWrittenCount();
        // A constant for the JIT: the check and the reinterpretation cost nothing and box nothing.
        var isAccess = typeof(TState) == typeof(AccessRecord);
        if (isAccess && formatterName == ConsoleFormatterNames.Json && _jsonOptions.CurrentValue is { IncludeScopes: false } json)
        {
            AccessJsonLine.Write(buffer, json, category, level, eventId, Unsafe.As<TState, AccessRecord>(ref state));
        }
        else if (_formatters.TryGetValue(formatterName, out var consoleFormatter))
        {
            var text = t_text ??= new StringWriter();
            text.GetStringBuilder().Clear();
            consoleFormatter.Write(new LogEntry<TState>(level, category, eventId, state, exception, formatter), _scopes, text);
            // Rare records (not per request): one string keeps a character pair from being split between chunks.
            Encoding.UTF8.GetBytes(text.ToString(), buffer);
        }
        if (buffer.WrittenCount == 0)
        {
            return;
        }
        var bytes = ArrayPool<byte>.Shared.Rent(buffer.WrittenCount);
        buffer.WrittenSpan.CopyTo(bytes);
        var line = new Line(bytes, buffer.WrittenCount, level >= options.LogToStandardErrorThreshold);
        if (_queue.Writer.TryWrite(line))
        {
            return;
        }
        if (isAccess)
        {
            ArrayPool<byte>.Shared.Return(bytes);
            _metrics.AccessLogDropped();
            return;
        }
        try
        {
            _queue.Writer.WriteAsync(line).AsTask().GetAwaiter().GetResult();
        }
        catch (ChannelClosedException)
        {
            // Shutting down: the output is gone.
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    private async Task WriteLoopAsync()
    {
        var batch = new byte[BatchBytes];
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync())
        {
            var length = 0;
            var toError = false;
            while (length < BatchBytes && reader.TryPeek(out var next) && (length == 0 || next.ToError == toError) && reader.TryRead(out var line))
            {
                toError = line.ToError;
                if (length + line.Length > batch.Length)
                {
                    Array.Resize(ref batch, length + line.Length);
                }
                line.Bytes.AsSpan(0, line.Length).CopyTo(batch.AsSpan(length));
                length += line.Length;
                ArrayPool<byte>.Shared.Return(line.Bytes);
            }
            _output.Write(batch.AsSpan(0, length), toError);
            if (!reader.TryPeek(out _))
            {
                await Task.Delay(Linger);
            }
        }
    }

    private readonly record struct Line(byte[] Bytes, int Length, bool ToError);

    private sealed class Logger(ConsoleLines owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => owner._scopes?.Push(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                owner.Log(category, logLevel, eventId, state, exception, formatter);
            }
        }
    }
}
