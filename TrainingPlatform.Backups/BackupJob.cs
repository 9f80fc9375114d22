using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace TrainingPlatform.Backups;

/// <summary>The outcome of one run: the script's JSON report when it succeeded, its last error line otherwise.</summary>
public sealed record BackupOutcome(bool Succeeded, JsonElement? Report, string? Error, TimeSpan Duration);

/// <summary>
/// One run of <c>ops/scripts/backup.sh --json</c> at a time, with the database of the <c>training</c> connection
/// string and the script's own variables from this process's environment (BACKUP_DIR or BACKUP_S3_URI,
/// BACKUP_ENCRYPTION_KEY, BACKUP_S3_ENDPOINT_URL, the AWS credentials). The script's messages go to the log.
/// </summary>
public sealed class BackupJob(BackupJobSettings settings, BackupMetrics metrics, ILogger<BackupJob> log)
{
    // The script cleans up what a run wrote when it gets SIGTERM; after this long it is killed.
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(20);

    private readonly SemaphoreSlim _running = new(1, 1);

    /// <summary>Runs a backup now, or returns null at once when one is already running (runs never overlap).</summary>
    public async Task<BackupOutcome?> TryRunAsync(string trigger, CancellationToken cancellation)
    {
        if (!await _running.WaitAsync(0, cancellation))
        {
            log.LogWarning("Backup ({Trigger}) skipped: the previous run is still going.", trigger);
            return null;
        }
        try
        {
            log.LogInformation("Backup ({Trigger}) started.", trigger);
            var outcome = await RunScriptAsync(cancellation);
            var finished = DateTimeOffset.UtcNow;
            if (outcome.Succeeded && outcome.Report?.GetProperty("size_bytes").GetInt64() is { } size)
            {
                metrics.Succeeded(finished, size, outcome.Duration);
                log.LogInformation("Backup ({Trigger}) stored at {Location}, {Size} bytes, in {Duration:0.0} s.", trigger,
                    outcome.Report.Value.GetProperty("location").GetString(), size, outcome.Duration.TotalSeconds);
            }
            else
            {
                metrics.Failed(finished);
                log.LogError("Backup ({Trigger}) failed after {Duration:0.0} s: {Error}", trigger, outcome.Duration.TotalSeconds, outcome.Error);
            }
            return outcome;
        }
        finally
        {
            _running.Release();
        }
    }

    private async Task<BackupOutcome> RunScriptAsync(CancellationToken cancellation)
    {
        var started = Stopwatch.StartNew();
        using var process = Process.Start(settings.StartInfo())!;
        string? lastError = null;
        process.ErrorDataReceived += (_, line) =>
        {
            if (line.Data is null)
            {
                return;
            }
            if (line.Data.Contains(": error:", StringComparison.Ordinal) || line.Data.Contains("(see --help)", StringComparison.Ordinal))
            {
                lastError = line.Data;
                log.LogError("{Line}", line.Data);
            }
            else
            {
                log.LogInformation("{Line}", line.Data);
            }
        };
        process.BeginErrorReadLine();
        var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        try
        {
            await process.WaitForExitAsync(cancellation);
        }
        catch (OperationCanceledException)
        {
            await StopAsync(process);
            throw;
        }
        process.WaitForExit();
        var report = (await stdout).Trim();
        if (process.ExitCode != 0)
        {
            return new BackupOutcome(false, null, lastError ?? $"backup.sh exited with {process.ExitCode}", started.Elapsed);
        }
        try
        {
            return new BackupOutcome(true, JsonDocument.Parse(report).RootElement.Clone(), null, started.Elapsed);
        }
        catch (JsonException)
        {
            return new BackupOutcome(false, null, $"backup.sh succeeded but printed no JSON report: {report}", started.Elapsed);
        }
    }

    private static async Task StopAsync(Process process)
    {
        if (process.HasExited)
        {
            return;
        }
        _ = Kill(process.Id, SigTerm);
        try
        {
            await process.WaitForExitAsync().WaitAsync(StopGrace);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
        }
    }

    private const int SigTerm = 15;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
