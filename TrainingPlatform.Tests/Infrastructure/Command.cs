namespace TrainingPlatform.Tests.Infrastructure;

public sealed record CommandResult(int ExitCode, string Stdout, string Stderr)
{
    public string Output => Stdout + Stderr;

    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
}

/// <summary>
/// Runs a program to its end with a bounded time. Standard input is always a pipe (never a terminal),
/// as under cron or CI, and is closed after the optional text is written.
/// </summary>
public static class Command
{
    // Inherited settings that would point a script somewhere the test did not choose.
    private static readonly string[] ForeignVariablePrefixes = ["PG", "BACKUP_", "DATABASE_URL", "AWS_", "METRICS_"];

    public static string Script(string name) => Infrastructure.RepositoryRoot.Ops("scripts", name);

    public static async Task<CommandResult> RunAsync(
        string fileName,
        IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string>? environment = null,
        string? stdin = null,
        TimeSpan? timeout = null,
        string? workingDirectory = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Infrastructure.RepositoryRoot.Path,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        foreach (var key in info.Environment.Keys.Where(k => ForeignVariablePrefixes.Any(k.StartsWith)).ToList())
        {
            info.Environment.Remove(key);
        }
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {fileName}");
        // A test host killed mid-command (an OOM kill, a cancelled job) takes the command and its children with it.
        using var watchdog = LocalProcess.Watch(process.Id, Environment.ProcessId);
        try
        {
            return await WaitAsync(process, info, fileName, stdin, timeout);
        }
        finally
        {
            watchdog.Kill(entireProcessTree: true);
        }
    }

    private static async Task<CommandResult> WaitAsync(Process process, ProcessStartInfo info, string fileName, string? stdin, TimeSpan? timeout)
    {
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
        }
        process.StandardInput.Close();

        using var limit = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Path.GetFileName(fileName)} {string.Join(' ', info.ArgumentList)} did not finish in time:\n{await stderr}");
        }
        return new CommandResult(process.ExitCode, await stdout, await stderr);
    }

    public static Task<CommandResult> RunScriptAsync(
        string name,
        IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string>? environment = null,
        string? stdin = null) => RunAsync(Script(name), arguments, environment, stdin);
}
