using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using TrainingPlatform.Hosting;

namespace TrainingPlatform.AppHost;

/// <summary>
/// "Restore drill" on the dashboard's <c>postgres</c>: <c>ops/scripts/restore.sh pitr --to-latest</c> into a scratch
/// directory and server, then the application database read there (schema version, every table's rows), the time it
/// all took, and the scratch server stopped and removed. The live server is not touched.
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
                Description = "Restore the latest point of the WAL archive into a scratch server and read the database there (ops/scripts/restore.sh pitr --to-latest)",
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
            var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = stack.RepositoryRoot };
            foreach (var argument in new[] { Path.Combine(stack.OpsDirectory, "scripts", "restore.sh"), "pitr", "--to-latest", "--data-dir", data,
                         "--port", port.ToString(CultureInfo.InvariantCulture) })
            {
                start.ArgumentList.Add(argument);
            }
            start.Environment["PGBACKREST_CONFIG"] = Postgres.PitrConfigFile(stack);
            using (var process = Process.Start(start)!)
            {
                process.OutputDataReceived += (_, line) => { if (line.Data is not null) { log.LogInformation("{Line}", line.Data); } };
                process.ErrorDataReceived += (_, line) => { if (line.Data is not null) { log.LogWarning("{Line}", line.Data); } };
                process.BeginOutputReadLine();
                process.BeginErrorReadLine();
                await process.WaitForExitAsync(context.CancellationToken);
                if (process.ExitCode != 0)
                {
                    return CommandResults.Failure($"restore.sh pitr exited with {process.ExitCode}; its output is in the {resource.Name} log.");
                }
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
            await using var read = new NpgsqlCommand("""
                select coalesce(case when to_regclass('public."VersionInfo"') is not null then (xpath('/row/v/text()',
                           query_to_xml('select max("Version") as v from public."VersionInfo"', false, true, '')))[1]::text end, 'none'),
                       count(*),
                       coalesce(sum((xpath('/row/n/text()', query_to_xml(format('select count(*) as n from public.%I', table_name), false, true, '')))[1]::text::bigint), 0)
                from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'
                """, restored);
            await using var reader = await read.ExecuteReaderAsync(context.CancellationToken);
            await reader.ReadAsync(context.CancellationToken);
            var report = $"Restored the latest point in {clock.Elapsed.TotalSeconds:0.0} s: schema version {reader.GetString(0)}, " +
                $"{reader.GetInt64(2)} rows in {reader.GetInt64(1)} tables of {databaseName}.";
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
}
