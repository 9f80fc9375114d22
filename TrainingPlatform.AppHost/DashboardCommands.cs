using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace TrainingPlatform.AppHost;

/// <summary>
/// Operations on the dashboard: "Back up now" on the database and "Run synthetic check" on the API. Each runs the
/// same script an operator would (ops/scripts) and writes its output to the resource's log.
/// </summary>
public static class DashboardCommands
{
    public static IResourceBuilder<T> WithBackupCommand<T>(this IResourceBuilder<T> database, StackSettings stack)
        where T : IResourceWithConnectionString =>
        database.WithCommand("backup-now", "Back up now", async context =>
        {
            var connection = new NpgsqlConnectionStringBuilder(await database.Resource.GetConnectionStringAsync(context.CancellationToken));
            var environment = new Dictionary<string, string?>
            {
                ["PGHOST"] = connection.Host,
                ["PGPORT"] = connection.Port.ToString(),
                ["PGUSER"] = connection.Username,
                ["PGPASSWORD"] = connection.Password,
                ["PGDATABASE"] = connection.Database,
                ["BACKUP_DIR"] = Path.Combine(stack.DataDirectory, "backups"),
            };
            return await RunScriptAsync(context, database.Resource, stack, "backup.sh", [], environment);
        }, new CommandOptions
        {
            Description = "pg_dump the database into .stack/backups with its SHA-256 (ops/scripts/backup.sh)",
            IconName = "DatabaseArrowDown",
        });

    /// <summary>The synthetic check on the service's public address (<paramref name="publicEndpoint"/>, the ingress).</summary>
    public static IResourceBuilder<ProjectResource> WithSyntheticCheckCommand(this IResourceBuilder<ProjectResource> service, StackSettings stack,
        EndpointReference publicEndpoint) =>
        service.WithCommand("synthetic-check", "Run synthetic check", context =>
            // The public port must not serve /metrics: Prometheus scrapes the internal metrics port instead.
            RunScriptAsync(context, service.Resource, stack, "synthetic-check.sh",
                [publicEndpoint.Url, "--expect-metrics", "off"], new Dictionary<string, string?>()),
            new CommandOptions
            {
                Description = "Health, metrics gate, OpenAPI, problem bodies and request ids (ops/scripts/synthetic-check.sh)",
                IconName = "Stethoscope",
            });

    private static async Task<ExecuteCommandResult> RunScriptAsync(ExecuteCommandContext context, IResource resource, StackSettings stack,
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

        return process.ExitCode == 0
            ? CommandResults.Success()
            : CommandResults.Failure($"{script} exited with {process.ExitCode}; its output is in the {resource.Name} log.");
    }
}
