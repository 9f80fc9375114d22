namespace TrainingPlatform.Tests.Ops.Slo;

/// <summary>The machine's blackbox exporter, run with the committed ops/prometheus/blackbox.yml.</summary>
internal static class BlackboxExporter
{
    public static async Task<BackgroundProcess> StartAsync()
    {
        var port = FreePort.Next();
        return await BackgroundProcess.StartAsync(LocalProgram.BlackboxExporter,
            ["--config.file=" + Path.Combine(OpsFiles.Prometheus, "blackbox.yml"), $"--web.listen-address=127.0.0.1:{port}"],
            port, "/-/healthy");
    }
}
