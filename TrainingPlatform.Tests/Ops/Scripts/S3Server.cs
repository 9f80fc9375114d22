using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

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

    private S3Server(Process process, DirectoryInfo directory, int port, string? certificateFile)
    {
        _process = process;
        // Never outlives the test host, even a killed one.
        _watchdog = LocalProcess.Watch(process.Id, System.Environment.ProcessId);
        _directory = directory;
        Port = port;
        CertificateFile = certificateFile;
        EndpointUrl = $"{(certificateFile is null ? "http" : "https")}://127.0.0.1:{port}";
    }

    public string EndpointUrl { get; }
    public int Port { get; }

    /// <summary>With TLS, the server's self-signed certificate (PEM), which clients trust as their CA.</summary>
    public string? CertificateFile { get; }

    /// <summary>What a script needs to reach this server: credentials s3rver accepts, region, endpoint.</summary>
    public IReadOnlyDictionary<string, string> Environment
    {
        get
        {
            var environment = new Dictionary<string, string>
            {
                ["AWS_ACCESS_KEY_ID"] = "S3RVER",
                ["AWS_SECRET_ACCESS_KEY"] = "S3RVER",
                ["AWS_DEFAULT_REGION"] = "us-east-1",
                ["AWS_EC2_METADATA_DISABLED"] = "true",
                ["BACKUP_S3_ENDPOINT_URL"] = EndpointUrl,
            };
            if (CertificateFile is not null)
            {
                // awscli trusts the TLS server's own certificate, nothing else.
                environment["AWS_CA_BUNDLE"] = CertificateFile;
            }
            return environment;
        }
    }

    public static Task<S3Server> StartAsync(params string[] buckets) => StartAsync(tls: false, buckets);

    /// <summary>Over TLS with a fresh self-signed certificate for 127.0.0.1: pgBackRest speaks S3 over TLS only.</summary>
    public static Task<S3Server> StartWithTlsAsync(params string[] buckets) => StartAsync(tls: true, buckets);

    private static async Task<S3Server> StartAsync(bool tls, string[] buckets)
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
        var certificateFile = tls ? WriteCertificate(directory.FullName) : null;
        foreach (var argument in new[] { entry, "-d", Directory.CreateDirectory(Path.Combine(directory.FullName, "data")).FullName, "-a", "127.0.0.1", "-p", port.ToString(), "--silent" }
            .Concat(certificateFile is null ? [] : ["--cert", certificateFile, "--key", Path.Combine(directory.FullName, "tls", "key.pem")]))
        {
            info.ArgumentList.Add(argument);
        }
        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start node (apt-get install nodejs)");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new S3Server(process, directory, port, certificateFile);

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

    // A self-signed certificate for 127.0.0.1 that is its own CA, so clients can trust exactly it (beside s3rver's
    // data/ folder, where every folder is a bucket).
    private static string WriteCertificate(string directory)
    {
        var tls = Directory.CreateDirectory(Path.Combine(directory, "tls")).FullName;
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        // pgBackRest 2.45 matches the host against DNS names only; awscli (Python) against IP addresses only.
        names.AddDnsName("127.0.0.1");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        var certificateFile = Path.Combine(tls, "cert.pem");
        File.WriteAllText(certificateFile, certificate.ExportCertificatePem());
        File.WriteAllText(Path.Combine(tls, "key.pem"), key.ExportPkcs8PrivateKeyPem());
        return certificateFile;
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
