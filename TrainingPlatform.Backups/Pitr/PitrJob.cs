using System.Diagnostics;
using System.Text.Json;

namespace TrainingPlatform.Backups.Pitr;

/// <summary>
/// pgBackRest runs for the server, one at a time: the stanza and a first full backup when the repository has none,
/// scheduled full and differential backups (each followed by pgBackRest's own expiry of what the retention no longer
/// needs), and <c>pgbackrest verify</c>. Each result reaches the log and <see cref="PitrMetrics"/>.
/// </summary>
public sealed class PitrJob(PitrSettings settings, PitrMetrics metrics, ILogger<PitrJob> log)
{
    private readonly SemaphoreSlim _running = new(1, 1);

    /// <summary>The stanza (idempotent) and, when the repository holds no full backup, one now; false when either failed.</summary>
    public async Task<bool> EnsureFullBackupAsync(CancellationToken cancellation)
    {
        await _running.WaitAsync(cancellation);
        try
        {
            var created = await RunAsync(["stanza-create"], cancellation);
            if (!created.Succeeded)
            {
                log.LogError("pgbackrest stanza-create failed: {Error}", created.Error);
                return false;
            }
            return (await ReadRepositoryAsync(cancellation)).LastFull is not null
                || await BackupLockedAsync("full", "no full backup in the repository", cancellation);
        }
        finally
        {
            _running.Release();
        }
    }

    public async Task BackupAsync(string type, string trigger, CancellationToken cancellation)
    {
        await _running.WaitAsync(cancellation);
        try
        {
            await BackupLockedAsync(type, trigger, cancellation);
            await VerifyLockedAsync(cancellation);
        }
        finally
        {
            _running.Release();
        }
    }

    /// <summary>Where the server takes its own backups: the repository's backup times read, and with <paramref name="verify"/> checked.</summary>
    public async Task WatchAsync(bool verify, CancellationToken cancellation)
    {
        await _running.WaitAsync(cancellation);
        try
        {
            await ReadRepositoryAsync(cancellation);
            if (verify)
            {
                await VerifyLockedAsync(cancellation);
            }
        }
        finally
        {
            _running.Release();
        }
    }

    private async Task VerifyLockedAsync(CancellationToken cancellation)
    {
        var verify = await RunAsync(["verify"], cancellation);
        metrics.Verified(DateTimeOffset.UtcNow, verify.Succeeded);
        if (verify.Succeeded)
        {
            log.LogInformation("pgbackrest verify: the repository's backups and WAL are intact.");
        }
        else
        {
            log.LogError("pgbackrest verify failed: {Error}", verify.Error);
        }
    }

    private async Task<bool> BackupLockedAsync(string type, string trigger, CancellationToken cancellation)
    {
        log.LogInformation("pgBackRest {Type} backup ({Trigger}) started.", type, trigger);
        var started = Stopwatch.StartNew();
        var backup = await RunAsync(["backup", "--type=" + type], cancellation);
        metrics.Ran(type, backup.Succeeded);
        if (backup.Succeeded)
        {
            log.LogInformation("pgBackRest {Type} backup ({Trigger}) done in {Duration:0.0} s.", type, trigger, started.Elapsed.TotalSeconds);
        }
        else
        {
            log.LogError("pgBackRest {Type} backup ({Trigger}) failed after {Duration:0.0} s: {Error}", type, trigger, started.Elapsed.TotalSeconds, backup.Error);
        }
        await ReadRepositoryAsync(cancellation);
        return backup.Succeeded;
    }

    private async Task<(DateTimeOffset? LastFull, DateTimeOffset? Last)> ReadRepositoryAsync(CancellationToken cancellation)
    {
        var info = await RunAsync(["info", "--output=json"], cancellation);
        if (!info.Succeeded)
        {
            log.LogError("pgbackrest info failed: {Error}", info.Error);
            return (null, null);
        }
        using var document = JsonDocument.Parse(info.Output);
        var backups = document.RootElement[0].GetProperty("backup").EnumerateArray()
            .Select(b => (Type: b.GetProperty("type").GetString(), Stop: DateTimeOffset.FromUnixTimeSeconds(b.GetProperty("timestamp").GetProperty("stop").GetInt64())))
            .ToList();
        DateTimeOffset? lastFull = backups.Where(b => b.Type == "full").Select(b => (DateTimeOffset?)b.Stop).Max();
        DateTimeOffset? last = backups.Select(b => (DateTimeOffset?)b.Stop).Max();
        metrics.Repository(lastFull, last);
        return (lastFull, last);
    }

    private sealed record Run(bool Succeeded, string Output, string Error);

    private async Task<Run> RunAsync(string[] arguments, CancellationToken cancellation)
    {
        using var process = Process.Start(settings.StartInfo(arguments))!;
        var stdout = process.StandardOutput.ReadToEndAsync(cancellation);
        var stderr = process.StandardError.ReadToEndAsync(cancellation);
        try
        {
            await process.WaitForExitAsync(cancellation);
        }
        catch (OperationCanceledException)
        {
            // pgBackRest stops cleanly on SIGTERM and removes its lock; a backup left half-way is resumed or expired by the next one.
            process.Kill(entireProcessTree: true);
            throw;
        }
        return new Run(process.ExitCode == 0, await stdout, (await stderr).Trim() is { Length: > 0 } error ? error : $"exit {process.ExitCode}");
    }
}
