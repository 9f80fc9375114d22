using System.Runtime.InteropServices;
using TrainingPlatform.Hosting;

namespace TrainingPlatform.Benchmarks;

/// <summary>
/// The benchmark scripts' door to TrainingPlatform.Hosting, so ops/bench starts PostgreSQL and picks ports
/// exactly the way the AppHost and the tests do.
/// </summary>
internal static class LocalInfrastructure
{
    /// <summary>Prints a free loopback port.</summary>
    public static int FreePortCommand()
    {
        Console.WriteLine(FreePort.Next());
        return 0;
    }

    /// <summary>
    /// A private PostgreSQL (durable, trusting local TCP connections, 200 connections) in a temporary folder: writes
    /// its port to <c>--port-file</c> once it accepts connections, stops fast and removes the folder on SIGTERM/SIGINT.
    /// </summary>
    public static async Task<int> PostgresCommand(string[] args)
    {
        var portFile = Arguments.ValueOf(args, "--port-file") ?? throw new ArgumentException("postgres needs --port-file FILE");
        using var stop = new CancellationTokenSource();
        using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => { context.Cancel = true; stop.Cancel(); });
        using var onInt = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => { context.Cancel = true; stop.Cancel(); });

        await using var postgres = await LocalPostgres.StartNewAsync(password: null, durable: true, "max_connections=200");
        await File.WriteAllTextAsync(portFile + ".tmp", postgres.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        File.Move(portFile + ".tmp", portFile, overwrite: true);
        try
        {
            await Task.Delay(Timeout.Infinite, stop.Token);
        }
        catch (OperationCanceledException)
        {
            // Asked to stop: disposing stops the server and removes its folder.
        }
        return 0;
    }
}
