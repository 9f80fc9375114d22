using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace TrainingPlatform.AppHost;

/// <summary>
/// "Run synthetic check" on the dashboard's API: the same script an operator would run (ops/scripts), its output in
/// the resource's log. ("Back up now" is the backups service's own, Backups.cs.)
/// </summary>
public static class DashboardCommands
{
    /// <summary>The synthetic check on the service's public address (<paramref name="publicEndpoint"/>, the ingress).</summary>
    public static IResourceBuilder<ProjectResource> WithSyntheticCheckCommand(this IResourceBuilder<ProjectResource> service, StackSettings stack,
        EndpointReference publicEndpoint) =>
        service.WithCommand("synthetic-check", "Run synthetic check", context =>
            // The public port must not serve /metrics: Prometheus scrapes the internal metrics port instead.
            ResultOfAsync(RunScriptAsync(context, service.Resource, stack, "synthetic-check.sh",
                [publicEndpoint.Url, "--expect-metrics", "off"], new Dictionary<string, string?>()), "synthetic-check.sh", service.Resource),
            new CommandOptions
            {
                Description = "Health, metrics gate, OpenAPI, problem bodies and request ids (ops/scripts/synthetic-check.sh)",
                IconName = "Stethoscope",
            });

    private static async Task<ExecuteCommandResult> ResultOfAsync(Task<int> run, string script, IResource resource) =>
        await run is var exitCode && exitCode == 0
            ? CommandResults.Success()
            : CommandResults.Failure($"{script} exited with {exitCode}; its output is in the {resource.Name} log.");

    /// <summary>Runs an ops/scripts script from the repository root, its output in <paramref name="resource"/>'s log; returns its exit code.</summary>
    internal static async Task<int> RunScriptAsync(ExecuteCommandContext context, IResource resource, StackSettings stack,
        string script, IEnumerable<string> arguments, IDictionary<string, string?> environment)
    {
        var log = context.Services.GetRequiredService<ResourceLoggerService>().GetLogger(resource);
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = stack.RepositoryRoot };
        start.ArgumentList.Add(Path.Combine(stack.OpsDirectory, "scripts", script));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        process.OutputDataReceived += (_, line) => { if (line.Data is not null) { log.LogInformation("{Line}", line.Data); } };
        process.ErrorDataReceived += (_, line) => { if (line.Data is not null) { log.LogWarning("{Line}", line.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await process.WaitForExitAsync(context.CancellationToken);
        return process.ExitCode;
    }
}
