namespace TrainingPlatform.Tests.Release;

/// <summary>
/// The <c>api</c> container app as Container Apps runs it in single-revision mode (what azd deploys), on this
/// machine, so a runbook's <c>az</c> lines can be rehearsed: one image serves at a time; <c>az containerapp update
/// --image</c> replaces it (a new revision; the old one stops); <c>az containerapp exec --command</c> runs a command
/// in the serving image's working directory with the app's environment. An image is a directory holding a build of
/// TrainingPlatform.Api.dll. Any other command fails the rehearsal.
/// </summary>
public sealed class SingleRevisionApp(string connectionString, IReadOnlyDictionary<string, string> images) : IAsyncDisposable
{
    private ApiProcess? _serving;

    public string Image { get; private set; } = "";

    /// <summary>The API process of the serving revision.</summary>
    public ApiProcess Serving => _serving ?? throw new InvalidOperationException("nothing is deployed");

    public async Task DeployAsync(string image)
    {
        if (!images.TryGetValue(image, out var directory))
        {
            throw new InvalidOperationException($"no image {image} (known: {string.Join(", ", images.Keys)})");
        }
        if (_serving is not null)
        {
            await _serving.DisposeAsync();
        }
        // As deployed: metrics on, on their own internal port, so the public port answers 404 for /metrics.
        _serving = await ApiProcess.StartAsync(connectionString,
            new Dictionary<string, string?> { ["Metrics:Port"] = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture) },
            Path.Combine(directory, "TrainingPlatform.Api.dll"));
        Image = image;
    }

    /// <summary>Runs one az line of a runbook; the result of <c>exec</c> is its command's.</summary>
    public async Task<CommandResult> RunAsync(AzCommandLine line)
    {
        switch (line.Group)
        {
            case "containerapp update":
                await DeployAsync(line.Option("--image"));
                return new CommandResult(0, $"deployed {Image}\n", "");
            case "containerapp exec":
                return await Command.RunAsync("bash", ["-c", line.Option("--command")],
                    new Dictionary<string, string>
                    {
                        ["ConnectionStrings__training"] = connectionString,
                        ["DOTNET_ENVIRONMENT"] = "Production",
                    },
                    timeout: TimeSpan.FromMinutes(3), workingDirectory: images[Image]);
            default:
                throw new NotSupportedException($"the rehearsal runs exec and update, not az {line.Group}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_serving is not null)
        {
            await _serving.DisposeAsync();
        }
    }
}
