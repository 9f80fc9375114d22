namespace TrainingPlatform.Tests.Ops.Scripts;

/// <summary>
/// Reads every process's command line (<c>/proc/*/cmdline</c>, what <c>ps</c> shows any user) over and over in the
/// background while a script runs, and keeps the ones holding a secret. Sampling can miss a short-lived process: the
/// programs a test must be sure about record their own command lines instead (<see cref="RecordingTools"/>).
/// </summary>
public sealed class CommandLineSampler : IAsyncDisposable
{
    private readonly string[] _secrets;
    private readonly CancellationTokenSource _stop = new();
    private readonly HashSet<string> _leaks = [];
    private readonly Task _sampling;

    /// <param name="secrets">Strings no command line may hold.</param>
    public CommandLineSampler(IEnumerable<string> secrets)
    {
        _secrets = secrets.Where(s => s.Length > 0).Distinct().ToArray();
        _sampling = Task.Run(SampleAsync);
    }

    public int Samples { get; private set; }

    /// <summary>The command lines that held a secret (arguments joined by spaces).</summary>
    public IReadOnlyCollection<string> Leaks => _leaks;

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
                    // Synchronous: /proc answers from memory, and the async path costs several times the CPU per file.
                    commandLine = Encoding.UTF8.GetString(File.ReadAllBytes(Path.Combine(directory, "cmdline"))).Replace('\0', ' ');
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    continue; // the process ended between the listing and the read
                }
                if (_secrets.Any(commandLine.Contains))
                {
                    _leaks.Add(commandLine);
                }
            }
            Samples++;
            // A pause between passes, so the sampler does not take most of a core from the run it watches (with a 2 ms
            // pause it did, on a 2-core machine running the suite); what must not be missed records itself instead.
            await Task.Delay(TimeSpan.FromMilliseconds(10));
        }
    }

    /// <summary>Stops sampling; <see cref="Leaks"/> is final afterwards.</summary>
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
