namespace TrainingPlatform.Api.Data;

/// <summary>
/// <c>migrate up | down [steps=1] | down-to VERSION | version</c>: runs against <c>ConnectionStrings__training</c>, prints the schema
/// version before and after, and exits (0 on success, 1 on failure, 2 on a usage error).
/// </summary>
public static class MigrateCommand
{
    public const string Name = "migrate";

    public static bool IsRequested(string[] args) => args.Length > 0 && args[0] == Name;

    public static async Task<int> RunAsync(IConfiguration configuration, string[] args)
    {
        using var loggerFactory = LoggerFactory.Create(logging => logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning));
        var migrator = new SchemaMigrator(configuration, loggerFactory);
        try
        {
            switch (args.Skip(1).ToArray())
            {
                case ["up"]:
                    Print(await migrator.UpAsync());
                    return 0;
                case ["down"]:
                    Print(await migrator.DownAsync(1));
                    return 0;
                case ["down", var steps] when int.TryParse(steps, out var n) && n > 0:
                    Print(await migrator.DownAsync(n));
                    return 0;
                case ["down-to", var version] when long.TryParse(version, out var target) && target > 0:
                    Print(await migrator.DownToAsync(target));
                    return 0;
                case ["version"]:
                    Console.WriteLine($"schema version: {Show(await migrator.VersionAsync())}");
                    return 0;
                default:
                    await Console.Error.WriteLineAsync("usage: migrate up | down [steps=1] | down-to VERSION | version");
                    return 2;
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            await Console.Error.WriteLineAsync($"migrate failed: {e.Message}");
            return 1;
        }
    }

    private static void Print(SchemaChange change) =>
        Console.WriteLine($"schema version before: {Show(change.Before)}{Environment.NewLine}schema version after: {Show(change.After)}");

    private static string Show(long? version) => version?.ToString() ?? "none";
}
