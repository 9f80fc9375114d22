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
        var result = await Command.RunAsync("node", [script, .. args],
            new Dictionary<string, string> { ["OPS_TOOLS_MODULES"] = ModulesDirectory }, timeout: timeout);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"node {Path.GetFileName(script)} failed: {result}");
        }
        return result.Stdout;
    }
}
