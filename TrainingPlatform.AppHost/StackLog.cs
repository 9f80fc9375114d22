namespace TrainingPlatform.AppHost;

/// <summary>The AppHost's own one-line statements about how the stack is put together.</summary>
public static class StackLog
{
    public static void ModeChosen(StackSettings stack) =>
        Console.WriteLine($"TrainingPlatform stack mode: {stack.Mode.ToString().ToLowerInvariant()} ({stack.ModeReason}); data in {stack.DataDirectory}");

    public static void GrafanaSkipped() =>
        Console.WriteLine("Grafana: not started in local mode (no local binary); use the Aspire dashboard and Prometheus's UI, or run with Docker/Podman for Grafana.");
}
