using System.Net.Sockets;

namespace TrainingPlatform.Tests.Ops.Scripts;

/// <summary>
/// s3rver (npm, ops/tools) on a loopback port: a real S3 protocol endpoint for the restore drill,
/// driven through Debian's awscli exactly as the scripts drive it.
/// </summary>
public sealed class S3Server : IAsyncDisposable
{
    public const string AwsCli = "/usr/bin/aws";

    private readonly Process _process;
    private readonly Process _watchdog;
    private readonly DirectoryInfo _directory;

    private S3Server(Process process, DirectoryInfo directory, int port)
    {
        _process = process;
        // Never outlives the test host, even a killed one.
        _watchdog = LocalProcess.Watch(process.Id, System.Environment.ProcessId);
        _directory = directory;
        EndpointUrl = $"http://127.0.0.1:{port}";
    }

    public string EndpointUrl { get; }

    /// <summary>What a script needs to reach this server: credentials s3rver accepts, region, endpoint.</summary>
    public IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string>
    {
        ["AWS_ACCESS_KEY_ID"] = "S3RVER",
        ["AWS_SECRET_ACCESS_KEY"] = "S3RVER",
        ["AWS_DEFAULT_REGION"] = "us-east-1",
        ["AWS_EC2_METADATA_DISABLED"] = "true",
        ["BACKUP_S3_ENDPOINT_URL"] = EndpointUrl,
    };

    public static async Task<S3Server> StartAsync(params string[] buckets)
    {
        var entry = Path.Combine(RepositoryRoot.Path, "ops", "tools", "node_modules", "s3rver", "bin", "s3rver.js");
        if (!File.Exists(entry))
        {
            throw new InvalidOperationException($"s3rver not found at {entry}: run `npm install --prefix ops/tools` (needs node)");
        }
        if (!File.Exists(AwsCli))
        {
            throw new InvalidOperationException($"{AwsCli} not found: apt-get install awscli");
        }

        var directory = Directory.CreateTempSubdirectory("tp-s3-");
        var port = FreePort.Next();
        var info = new ProcessStartInfo("node")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { entry, "-d", directory.FullName, "-a", "127.0.0.1", "-p", port.ToString(), "--silent" })
        {
            info.ArgumentList.Add(argument);
        }
        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start node (apt-get install nodejs)");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new S3Server(process, directory, port);

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await AcceptsConnectionsAsync(port))
        {
            if (process.HasExited || DateTime.UtcNow > deadline)
            {
                await server.DisposeAsync();
                throw new InvalidOperationException($"s3rver did not start on port {port}");
            }
            await Task.Delay(100);
        }
        foreach (var bucket in buckets)
        {
            await server.AwsAsync("s3api", "create-bucket", "--bucket", bucket);
        }
        return server;
    }

    /// <summary>Runs the aws CLI against this server and returns its stdout; a failure fails the test.</summary>
    public async Task<string> AwsAsync(params string[] arguments)
    {
        var result = await Command.RunAsync(AwsCli, ["--endpoint-url", EndpointUrl, .. arguments], Environment);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"aws {string.Join(' ', arguments)} failed: {result}");
        }
        return result.Stdout;
    }

    public async Task<IReadOnlyList<string>> KeysAsync(string bucket, string prefix)
    {
        var text = await AwsAsync("s3api", "list-objects-v2", "--bucket", bucket, "--prefix", prefix,
            "--query", "Contents[].Key", "--output", "text");
        return text.Split(['\t', '\n'], StringSplitOptions.RemoveEmptyEntries).Where(k => k != "None").ToList();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
        _process.Dispose();
        _watchdog.Kill(entireProcessTree: true);
        try
        {
            _directory.Delete(recursive: true);
        }
        catch (IOException)
        {
            // A temp directory left behind is harmless.
        }
    }

    private static async Task<bool> AcceptsConnectionsAsync(int port)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
