using System.Diagnostics;
using System.Text;

namespace TrainingPlatform.Tests.Ops.Slo;

/// <summary>A long-running tool (Prometheus, the blackbox exporter) on a loopback port, killed on dispose.</summary>
internal sealed class BackgroundProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();

    private BackgroundProcess(Process process, Uri baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

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


    /// <summary>Starts the tool and waits until <paramref name="readyPath"/> answers 200.</summary>
    public static async Task<BackgroundProcess> StartAsync(string file, IEnumerable<string> arguments, int port, string readyPath)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        var started = new BackgroundProcess(Process.Start(info)!, new Uri($"http://127.0.0.1:{port}"));
        started._process.OutputDataReceived += (_, e) => started.Append(e.Data);
        started._process.ErrorDataReceived += (_, e) => started.Append(e.Data);
        started._process.BeginOutputReadLine();
        started._process.BeginErrorReadLine();

        using var client = new HttpClient { BaseAddress = started.BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline && !started._process.HasExited)
        {
            try
            {
                using var response = await client.GetAsync(readyPath);
                if (response.IsSuccessStatusCode)
                {
                    return started;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException)
            {
                // Listening but not answering yet.
            }
            await Task.Delay(200);
        }
        await started.DisposeAsync();
        throw new InvalidOperationException($"{file} did not become ready on port {port}:\n{started.Log}");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_log)
        {
            // Keep the tail: enough to explain a failure, bounded for long runs.
            if (_log.Length > 64_000)
            {
                _log.Remove(0, 32_000);
            }
            _log.AppendLine(line);
        }
    }
}
