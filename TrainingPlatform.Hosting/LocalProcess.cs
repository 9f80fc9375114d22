using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace TrainingPlatform.Hosting;

/// <summary>
/// A long-running program started from a <see cref="LocalCommand"/>: both output streams drained into a bounded
/// log (a chatty program never blocks on a full pipe), readiness awaited within a bound, stopped by a signal and
/// killed if it does not exit in time; made to end with its owner in <c>LocalProcessWatchdog.cs</c>.
/// </summary>
public sealed partial class LocalProcess : IAsyncDisposable
{
    public const int SigInt = 2;
    public const int SigTerm = 15;
    public const int SigKill = 9;

    private readonly Process _process;
    private readonly StringBuilder _log = new();
    private Process? _watchdog;

    private LocalProcess(Process process) => _process = process;

    public int Id => _process.Id;
    public bool HasExited => _process.HasExited;

    /// <summary>The tail of the program's output, enough to explain a failure.</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>Starts the command and waits until <paramref name="ready"/> answers true (at most <paramref name="timeout"/>).</summary>
    public static async Task<LocalProcess> StartAsync(LocalCommand command, Func<CancellationToken, Task<bool>> ready,
        TimeSpan timeout, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = command.ToStartInfo();
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }
        var started = Launch(info);

        using var deadline = new CancellationTokenSource(timeout);
        while (!deadline.IsCancellationRequested && !started.HasExited)
        {
            try
            {
                if (await ready(deadline.Token))
                {
                    return started;
                }
                await Task.Delay(100, deadline.Token);
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested)
            {
                break;
            }
        }
        // Read before disposing: a disposed Process no longer answers HasExited.
        var exited = started.HasExited;
        await started.DisposeAsync();
        throw new InvalidOperationException(
            $"{Path.GetFileName(command.Arguments.LastOrDefault(a => a.StartsWith('/')) ?? command.Program)} did not become ready " +
            $"within {timeout.TotalSeconds:0} s{(exited ? " (it exited)" : "")}:\n{started.Log}");
    }

    /// <summary>Runs a command to its end within <paramref name="timeout"/>; a non-zero exit throws with its output.</summary>
    public static async Task<string> RunAsync(LocalCommand command, TimeSpan timeout)
    {
        var process = Launch(command.ToStartInfo());
        await using (process)
        {
            try
            {
                await process._process.WaitForExitAsync().WaitAsync(timeout);
            }
            catch (TimeoutException)
            {
                throw new TimeoutException($"{command.Program} did not finish within {timeout.TotalSeconds:0} s:\n{process.Log}");
            }
            process._process.WaitForExit(); // flushes the output events
            return process._process.ExitCode == 0
                ? process.Log
                : throw new InvalidOperationException($"{command.Program} {string.Join(' ', command.Arguments)} failed ({process._process.ExitCode}):\n{process.Log}");
        }
    }

    /// <summary>Starts the command and waits until <c>http://127.0.0.1:{port}{path}</c> answers 2xx.</summary>
    public static Task<LocalProcess> StartHttpAsync(LocalCommand command, int port, string readyPath, TimeSpan? timeout = null,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(2) };
        return StartAsync(command, async cancellation =>
        {
            try
            {
                using var response = await client.GetAsync(readyPath, cancellation);
                return response.IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                return false;
            }
            catch (TaskCanceledException) when (!cancellation.IsCancellationRequested)
            {
                return false;
            }
        }, timeout ?? TimeSpan.FromSeconds(30), environment);
    }

    public void Signal(int signal)
    {
        if (!_process.HasExited)
        {
            _ = kill(_process.Id, signal);
        }
    }

    /// <summary>Sends <paramref name="signal"/> and waits for the exit; kills the process tree after <paramref name="grace"/>.</summary>
    public async Task StopAsync(int signal = SigTerm, TimeSpan? grace = null)
    {
        if (!_process.HasExited)
        {
            Signal(signal);
            try
            {
                await _process.WaitForExitAsync().WaitAsync(grace ?? TimeSpan.FromSeconds(10));
            }
            catch (TimeoutException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            }
        }
        // Gone before the program's number can be given to another process.
        if (_watchdog is { HasExited: false })
        {
            _watchdog.Kill(entireProcessTree: true);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process.Dispose();
    }

    private static LocalProcess Launch(ProcessStartInfo info)
    {
        var process = new LocalProcess(Process.Start(info)!);
        process._process.OutputDataReceived += (_, e) => process.Append(e.Data);
        process._process.ErrorDataReceived += (_, e) => process.Append(e.Data);
        process._process.BeginOutputReadLine();
        process._process.BeginErrorReadLine();
        return process;
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_log)
        {
            if (_log.Length > 64_000)
            {
                _log.Remove(0, 32_000);
            }
            _log.AppendLine(line);
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);
}
