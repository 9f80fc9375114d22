using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace TrainingPlatform.Tests.ServiceDefaults;

/// <summary>A real logging provider that keeps every record with its structured state and scopes.</summary>
public sealed class CapturedLogs : ILoggerProvider, ISupportExternalScope
{
    private readonly ConcurrentQueue<CapturedLog> _records = new();
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    public IReadOnlyCollection<CapturedLog> Records => _records;

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose()
    {
    }

    /// <summary>The records matching <paramref name="match"/>, once at least one is there (the audit writes after the response).</summary>
    public async Task<IReadOnlyList<CapturedLog>> WaitForAsync(Func<CapturedLog, bool> match)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!timeout.IsCancellationRequested)
        {
            var found = _records.Where(match).ToList();
            if (found.Count > 0)
            {
                return found;
            }
            await Task.Delay(20);
        }
        throw new TimeoutException("No log record matched within 10 s. Records: "
            + string.Join(Environment.NewLine, _records.Select(r => $"{r.Category} {r.Level} {r.Message}")));
    }

    private sealed class Logger(CapturedLogs owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => owner._scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var scopes = new List<IReadOnlyDictionary<string, object?>>();
            owner._scopes.ForEachScope((scope, list) => list.Add(ToDictionary(scope)), scopes);
            owner._records.Enqueue(new CapturedLog(category, logLevel, eventId, formatter(state, exception), ToDictionary(state), scopes, exception));
        }

        private static Dictionary<string, object?> ToDictionary(object? state) =>
            state is IEnumerable<KeyValuePair<string, object?>> pairs
                ? pairs.GroupBy(pair => pair.Key).ToDictionary(group => group.Key, group => group.First().Value)
                : new Dictionary<string, object?>();
    }
}

public sealed record CapturedLog(
    string Category,
    LogLevel Level,
    EventId EventId,
    string Message,
    IReadOnlyDictionary<string, object?> State,
    IReadOnlyList<IReadOnlyDictionary<string, object?>> Scopes,
    Exception? Exception)
{
    public object? this[string key] => State.TryGetValue(key, out var value) ? value : null;

    public bool HasScopeValue(string key, string value) =>
        Scopes.Any(scope => scope.TryGetValue(key, out var scoped) && Equals(scoped?.ToString(), value));
}
