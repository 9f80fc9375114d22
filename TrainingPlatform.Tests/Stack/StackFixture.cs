extern alias AppHost;

using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;

namespace TrainingPlatform.Tests.Stack;

/// <summary>
/// The real AppHost in local mode, started once for the stack tests: Postgres and Prometheus from the machine's
/// binaries, the API as a project, in a throwaway data directory.
/// </summary>
public sealed class StackFixture : IAsyncLifetime
{
    private readonly DirectoryInfo _data = Directory.CreateTempSubdirectory("tp-stack-");

    public DistributedApplication App { get; private set; } = null!;

    public string DataDirectory => _data.FullName;

    public static CancellationToken Timeout(int seconds = 180) => new CancellationTokenSource(TimeSpan.FromSeconds(seconds)).Token;

    public async Task InitializeAsync()
    {
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<AppHost::Projects.TrainingPlatform_AppHost>(
            [
                "--Stack:Mode=local",
                $"--Stack:DataDirectory={_data.FullName}",
                $"--Stack:Ports:Api={FreePort.Next()}",
                $"--Stack:Ports:Prometheus={FreePort.Next()}",
            ],
            Timeout());
        App = await builder.BuildAsync(Timeout());
        await App.StartAsync(Timeout());
        await App.ResourceNotifications.WaitForResourceHealthyAsync("api", Timeout());
        await App.ResourceNotifications.WaitForResourceHealthyAsync("prometheus", Timeout());
    }

    public async Task DisposeAsync()
    {
        await App.DisposeAsync();
        try
        {
            _data.Delete(recursive: true);
        }
        catch (IOException)
        {
            // Postgres may still be flushing; a leftover temp directory is harmless.
        }
    }

}
