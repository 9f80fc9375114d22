namespace TrainingPlatform.Tests.Ops.Slo;

/// <summary>A long-running tool (Prometheus, the blackbox exporter) on a loopback port, stopped on dispose.</summary>
internal sealed class BackgroundProcess : IAsyncDisposable
{
    private readonly LocalProcess _process;

    private BackgroundProcess(LocalProcess process, int port)
    {
        _process = process;
        BaseAddress = new Uri($"http://127.0.0.1:{port}");
    }

    public Uri BaseAddress { get; }
    public string Log => _process.Log;

    /// <summary>Starts <paramref name="program"/> and waits until <paramref name="readyPath"/> answers 200.</summary>
    public static Task<BackgroundProcess> StartAsync(LocalProgram program, IEnumerable<string> arguments, int port, string readyPath) =>
        StartAsync(new LocalCommand(program.Path, [.. arguments]), port, readyPath);

    /// <inheritdoc cref="StartAsync(LocalProgram, IEnumerable{string}, int, string)"/>
    public static async Task<BackgroundProcess> StartAsync(LocalCommand command, int port, string readyPath)
    {
        var process = await LocalProcess.StartHttpAsync(command, port, readyPath);
        // Never outlives the test host, even a killed one.
        process.EndWithThisProcess();
        return new(process, port);
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
