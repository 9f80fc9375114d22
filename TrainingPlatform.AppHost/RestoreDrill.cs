using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using TrainingPlatform.Hosting;

namespace TrainingPlatform.AppHost;

/// <summary>
/// "Restore drill" on the dashboard's <c>postgres</c>: <c>ops/scripts/restore.sh pitr --to-latest</c> into a scratch
/// directory and server, the application database read there (schema version, every table's rows), an API of this
/// build started on the copy and checked by <c>ops/scripts/synthetic-check.sh</c>, the time it all took, and the scratch
/// server stopped and removed. The live server is not touched.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // file modes: local mode only
public static class RestoreDrill
{
    private static readonly LocalProgram PgCtl = new("pg_ctl", "postgresql");

    public static IResourceBuilder<ExecutableResource> WithRestoreDrillCommand(this IResourceBuilder<ExecutableResource> server, StackSettings stack,
        IResourceBuilder<ParameterResource> password, string databaseName) =>
        server.WithCommand("restore-drill", "Restore drill", context => RunAsync(context, server.Resource, stack, password.Resource, databaseName),
            new CommandOptions
            {
                Description = "Restore the latest point of the WAL archive into a scratch server, read the database there and run the synthetic check on an API on it (ops/scripts/restore.sh pitr --to-latest)",
                IconName = "ArrowCounterclockwise",
            });

    private static async Task<ExecuteCommandResult> RunAsync(ExecuteCommandContext context, IResource resource, StackSettings stack,
        ParameterResource password, string databaseName)
    {
        var log = context.Services.GetRequiredService<ResourceLoggerService>().GetLogger(resource);
        var scratch = Directory.CreateTempSubdirectory("tp-restore-drill-").FullName;
        // The scratch server runs as postgres, which must reach its directory.
        File.SetUnixFileMode(scratch, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.OtherExecute);
        var data = Path.Combine(scratch, "data");
        var port = FreePort.Next();
        var clock = Stopwatch.StartNew();
        try
        {
            var restoreExit = await DashboardCommands.RunScriptAsync(context, resource, stack, "restore.sh",
                ["pitr", "--to-latest", "--data-dir", data, "--port", port.ToString(CultureInfo.InvariantCulture)],
                new Dictionary<string, string?> { ["PGBACKREST_CONFIG"] = Postgres.PitrConfigFile(stack) });
            if (restoreExit != 0)
            {
                return CommandResults.Failure($"restore.sh pitr exited with {restoreExit}; its output is in the {resource.Name} log.");
            }

            var connection = new NpgsqlConnectionStringBuilder
            {
                Host = "127.0.0.1",
                Port = port,
                Username = "postgres",
                Password = await password.GetValueAsync(context.CancellationToken),
                Database = databaseName,
                Pooling = false,
            };
            await using var restored = new NpgsqlConnection(connection.ConnectionString);
            await restored.OpenAsync(context.CancellationToken);
            // Read-only: the schema version and every table of the public schema, as the catalog lists them.
            await using var query = new NpgsqlCommand("""
                select coalesce(case when to_regclass('public."VersionInfo"') is not null then (xpath('/row/v/text()',
                           query_to_xml('select max("Version") as v from public."VersionInfo"', false, true, '')))[1]::text end, 'none'),
                       count(*),
                       coalesce(sum((xpath('/row/n/text()', query_to_xml(format('select count(*) as n from public.%I', table_name), false, true, '')))[1]::text::bigint), 0)
                from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'
                """, restored);
            await using var reader = await query.ExecuteReaderAsync(context.CancellationToken);
            await reader.ReadAsync(context.CancellationToken);
            var read = $"schema version {reader.GetString(0)}, {reader.GetInt64(2)} rows in {reader.GetInt64(1)} tables of {databaseName}";
            var restoredIn = clock.Elapsed;

            // The copy must also serve: an API of this build on it, checked by the operators' synthetic check.
            var checkExit = await CheckAnApiOnAsync(context, resource, stack, connection.ConnectionString);
            if (checkExit != 0)
            {
                return CommandResults.Failure($"Restored ({read}), but synthetic-check.sh against an API on the copy exited with {checkExit}; " +
                    $"its output is in the {resource.Name} log.");
            }
            var report = $"Restored the latest point in {restoredIn.TotalSeconds:0.0} s: {read}; an API on the copy passed the synthetic check " +
                $"({clock.Elapsed.TotalSeconds:0.0} s in all).";
            log.LogInformation("{Report}", report);
            return CommandResults.Success(report, report, CommandResultFormat.Text);
        }
        finally
        {
            if (File.Exists(Path.Combine(data, "postmaster.pid")))
            {
                await LocalProcess.RunAsync(LocalCommand.AsPostgresUser(PgCtl, "-D", data, "-m", "fast", "-w", "stop"), TimeSpan.FromMinutes(1));
            }
            Directory.Delete(scratch, recursive: true);
        }
    }

    // This build's API (the AppHost's sibling output folder) in Production on the restored copy; it migrates the copy if
    // the copy is behind, which touches only the scratch server.
    private static async Task<int> CheckAnApiOnAsync(ExecuteCommandContext context, IResource resource, StackSettings stack, string connectionString)
    {
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var api = Path.Combine(Path.GetDirectoryName(new Projects.TrainingPlatform_Api().ProjectPath)!, "bin", output.Parent!.Name, output.Name,
            "TrainingPlatform.Api.dll");
        var port = FreePort.Next();
        var url = $"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}";
        await using var process = await LocalProcess.StartHttpAsync(new LocalCommand("dotnet", [api]), port, "/healthz", TimeSpan.FromSeconds(60),
            new Dictionary<string, string>
            {
                ["ASPNETCORE_URLS"] = url,
                ["ASPNETCORE_ENVIRONMENT"] = "Production",
                ["DOTNET_ENVIRONMENT"] = "Production",
                ["ConnectionStrings__training"] = connectionString,
                ["Jwt__SigningKey"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(48)),
                ["METRICS_ENABLED"] = "true",
                ["PasswordReset__Sender"] = "log",
                ["WarmUp__Calls"] = "0",
            });
        return await DashboardCommands.RunScriptAsync(context, resource, stack, "synthetic-check.sh", [url, "--expect-metrics", "on"],
            new Dictionary<string, string?>());
    }
}
