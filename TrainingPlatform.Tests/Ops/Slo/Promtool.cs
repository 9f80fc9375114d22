namespace TrainingPlatform.Tests.Ops.Slo;

/// <summary>promtool as the tests run it: the rule unit tests and the history backfills.</summary>
public static class Promtool
{
    // Go's collector at its default target (100) took about a third of promtool's CPU in the rule unit tests: the three
    // largest files 14.9 CPU-s at 100, 10.5 at 400, with at most 260 MB resident (measured 2026-12-05).
    private static readonly Dictionary<string, string> Environment = new() { ["GOGC"] = "400" };

    public static Task<CommandResult> RunAsync(IEnumerable<string> arguments, string? workingDirectory = null) =>
        Command.RunAsync(LocalProgram.Promtool.Path, arguments, Environment, workingDirectory: workingDirectory);
}
