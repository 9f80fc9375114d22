namespace TrainingPlatform.Tests.Ops.Scripts;

/// <summary>
/// Reads every process's command line (<c>/proc/*/cmdline</c>, what <c>ps</c> shows any user) over and over in the
/// background while a script runs, and keeps the ones holding a secret. It also records whether it saw the
/// processes it is meant to watch, so a sampler that never caught one cannot pass for a clean run.
/// </summary>
public sealed class CommandLineSampler : IAsyncDisposable
{
    private readonly string[] _secrets;
    private readonly string[] _watched;
    private readonly CancellationTokenSource _stop = new();
    private readonly HashSet<string> _leaks = [];
    private readonly HashSet<string> _seen = [];
    private readonly Task _sampling;

    /// <param name="secrets">Strings no command line may hold.</param>
    /// <param name="watched">Program names (e.g. pg_dump) whose appearance proves the sampler saw the run.</param>
    public CommandLineSampler(IEnumerable<string> secrets, params string[] watched)
    {
        _secrets = secrets.Where(s => s.Length > 0).Distinct().ToArray();
        _watched = watched;
        _sampling = Task.Run(SampleAsync);
    }

    public int Samples { get; private set; }

    /// <summary>The command lines that held a secret (arguments joined by spaces).</summary>
    public IReadOnlyCollection<string> Leaks => _leaks;

    /// <summary>The watched program names seen at least once.</summary>
    public IReadOnlyCollection<string> Seen => _seen;

    private async Task SampleAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            foreach (var directory in Directory.EnumerateDirectories("/proc"))
            {
                if (!char.IsAsciiDigit(Path.GetFileName(directory)[0]))
                {
                    continue;
                }
                string commandLine;
                try
                {
                    commandLine = Encoding.UTF8.GetString(await File.ReadAllBytesAsync(Path.Combine(directory, "cmdline"))).Replace('\0', ' ');
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    continue; // the process ended between the listing and the read
                }
                if (_secrets.Any(commandLine.Contains))
                {
                    _leaks.Add(commandLine);
                }
                foreach (var program in _watched.Where(p => commandLine.Contains('/' + p + ' ') || commandLine.StartsWith(p + ' ')))
                {
                    _seen.Add(program);
                }
            }
            Samples++;
        }
    }

    /// <summary>Stops sampling; <see cref="Leaks"/> and <see cref="Seen"/> are final afterwards.</summary>
    public async Task StopAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await _stop.CancelAsync();
        }
        await _sampling.WaitAsync(TimeSpan.FromSeconds(10));
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
    }
}
