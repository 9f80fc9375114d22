using System.Diagnostics;

namespace TrainingPlatform.Tests.Infrastructure;

/// <summary>Runs the node tools under ops/tools (installed by ops/scripts/prerequisites.sh).</summary>
public static class Node
{
    public static string ModulesDirectory => RepositoryRoot.Ops("tools", "node_modules");

    public static async Task<string> RunAsync(string script, IEnumerable<string> args, TimeSpan timeout)
    {
        if (!Directory.Exists(Path.Combine(ModulesDirectory, "playwright-core")) || !Directory.Exists(Path.Combine(ModulesDirectory, "@seriousme")))
        {
            throw new InvalidOperationException("Node tools missing: run ops/scripts/prerequisites.sh test (npm ci --prefix ops/tools).");
        }
        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(script);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        start.Environment["OPS_TOOLS_MODULES"] = ModulesDirectory;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"node {Path.GetFileName(script)} did not finish within {timeout}: {await stderr}");
        }
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"node {Path.GetFileName(script)} failed ({process.ExitCode}): {await stderr}");
        }
        return await stdout;
    }
}
