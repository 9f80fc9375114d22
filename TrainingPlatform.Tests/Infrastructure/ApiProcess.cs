using System.Net.Sockets;
using TrainingPlatform.Tests.Api;

namespace TrainingPlatform.Tests.Infrastructure;

/// <summary>
/// The built API run the way a host runs it: <c>dotnet TrainingPlatform.Api.dll</c> as its own process, in
/// Production, configured only by environment variables, logging JSON lines to the console. Choose it over
/// <see cref="ApiServer"/> when the test needs a process: SIGTERM and the exit code, its own memory and thread pool
/// (soak, pool exhaustion, outage), what it writes to stdout (secrets in logs), several replicas on one database, or
/// Production start-up as deployed. It costs a few seconds to start.
/// </summary>
public sealed class ApiProcess : IAsyncDisposable
{
    // Longer than 64 bytes, so a forger can sign with it under HS512 too (the algorithm restriction must refuse that).
    public const string SigningKey = "reliability-signing-key-0123456789-abcdefghijklmnopqrstuvwxyz-0123456789";

    private static readonly string[] Inherited = ["PATH", "HOME", "DOTNET_ROOT", "TMPDIR", "LANG"];

    private readonly Process _process;
    private Process? _watchdog;
    private readonly List<string> _stdout = [];
    private readonly List<string> _stderr = [];

    private ApiProcess(Process process, Uri baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }
    public int Id => _process.Id;
    public bool HasExited => _process.HasExited;

    /// <summary>Every line written to standard output: with the JSON formatter, one log record per line.</summary>
    public IReadOnlyList<string> LogLines
    {
        get
        {
            lock (_stdout)
            {
                return _stdout.ToList();
            }
        }
    }

    public string Output
    {
        get
        {
            lock (_stdout)
            {
                lock (_stderr)
                {
                    return string.Join('\n', _stdout) + "\n" + string.Join('\n', _stderr);
                }
            }
        }
    }

    /// <summary>
    /// The runtime's own delay before it counts calls towards optimised code, for the processes tests start. The API
    /// counts from its first call, which pays in production (ops/docs/performance.md, learner section, seventh pass)
    /// but spends each start about 3 CPU-s more recompiling start-up code, in a test process that lives seconds.
    /// </summary>
    public static readonly KeyValuePair<string, string> CallCountingDelay = new("DOTNET_TC_CallCountingDelayMs", "100");

    public static string Dll { get; } = Path.Combine(RepositoryRoot.Path, "TrainingPlatform.Api", "bin", RepositoryRoot.Configuration,
        "net10.0", "TrainingPlatform.Api.dll");

    /// <summary>
    /// The environment the tests run the API with: the ApiFixture's fast settings (limits raised, cheap hashing),
    /// metrics on, JSON console logs, reset tokens only logged. <paramref name="overrides"/> replace or add variables
    /// (configuration keys may use ':'; null removes one).
    /// </summary>
    public static Dictionary<string, string?> Environment(string connectionString, IReadOnlyDictionary<string, string?>? overrides = null)
    {
        var environment = ApiFixture.Settings.ToDictionary(setting => setting.Key.Replace(":", "__"), setting => setting.Value);
        environment["ConnectionStrings__training"] = PostgresServer.Pooled(connectionString);
        environment["Jwt__SigningKey"] = SigningKey;
        environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        environment["DOTNET_ENVIRONMENT"] = "Production";
        environment["METRICS_ENABLED"] = "true";
        environment["Logging__Console__FormatterName"] = "json";
        // Production insists on a mail server for reset emails; tests that read them override this with MailCatcher.ApiSettings.
        environment["PasswordReset__Sender"] = "log";
        environment[CallCountingDelay.Key] = CallCountingDelay.Value;
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            environment[key.Replace(":", "__")] = value;
        }
        return environment;
    }

    /// <summary>
    /// Starts the API and waits until /healthz answers 200. <paramref name="dll"/> runs another build of it (a
    /// previous release's) instead of this checkout's.
    /// </summary>
    public static async Task<ApiProcess> StartAsync(string connectionString, IReadOnlyDictionary<string, string?>? overrides = null,
        string? dll = null)
    {
        var started = Launch(Environment(connectionString, overrides), dll ?? Dll);
        using var client = new HttpClient { BaseAddress = started.BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(60) && !started.HasExited)
        {
            try
            {
                using var response = await client.GetAsync("/healthz");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return started;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet.
            }
            await Task.Delay(100);
        }
        var output = started.Output;
        await started.DisposeAsync();
        throw new InvalidOperationException($"The API did not become healthy within 60 s:\n{output}");
    }

    /// <summary>Runs the API to its exit (e.g. a start-up that must fail) and returns the exit code with everything it wrote.</summary>
    public static async Task<(int ExitCode, ApiProcess Process)> RunToExitAsync(string connectionString,
        IReadOnlyDictionary<string, string?>? overrides, TimeSpan timeout)
    {
        var started = Launch(Environment(connectionString, overrides), Dll);
        using var cancel = new CancellationTokenSource(timeout);
        await started._process.WaitForExitAsync(cancel.Token);
        started._process.WaitForExit();
        return (started._process.ExitCode, started);
    }

    /// <summary>Registers an account with <paramref name="role"/> and returns it signed in, with a client carrying its token.</summary>
    public Task<TestAccount> RegisterAsync(string role = "learner", string? password = null) =>
        TestAccounts.NewAsync(() => CreateHttpClient(), role, password);

    public HttpClient CreateHttpClient(TimeSpan? timeout = null) =>
        new(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = BaseAddress, Timeout = timeout ?? TimeSpan.FromSeconds(60) };

    /// <summary>Resident memory (VmRSS) of the API process, in bytes.</summary>
    public long ResidentBytes()
    {
        var line = File.ReadLines($"/proc/{Id}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
    }

    /// <summary>Sends SIGTERM, as an orchestrator stopping the container does, and waits for the exit code.</summary>
    public async Task<int> TerminateAsync(TimeSpan timeout)
    {
        Signals.Terminate(_process);
        return await WaitForExitAsync(timeout);
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        await _process.WaitForExitAsync().WaitAsync(timeout);
        // The parameterless wait also drains the redirected output.
        _process.WaitForExit();
        return _process.ExitCode;
    }

    /// <summary>The JSON log records of <paramref name="category"/>.</summary>
    public IReadOnlyList<JsonElement> Records(string category) =>
        LogLines.Where(line => line.StartsWith('{'))
            .Select(line => JsonDocument.Parse(line).RootElement.Clone())
            .Where(record => record.TryGetProperty("Category", out var c) && c.GetString() == category)
            .ToList();

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
        _process.Dispose();
        _watchdog?.Kill(entireProcessTree: true);
    }

    private static ApiProcess Launch(Dictionary<string, string?> environment, string dll)
    {
        if (!File.Exists(dll))
        {
            throw new InvalidOperationException($"{dll} is missing: build the solution (dotnet build TrainingPlatform.sln -c {RepositoryRoot.Configuration}).");
        }
        var port = FreePort.Next();
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(dll);
        // Only what the API is given: nothing from the test runner's environment (OTLP, Sentry, ASP.NET Core settings) leaks in.
        info.Environment.Clear();
        foreach (var name in Inherited)
        {
            if (System.Environment.GetEnvironmentVariable(name) is { } value)
            {
                info.Environment[name] = value;
            }
        }
        info.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        foreach (var (key, value) in environment)
        {
            if (value is null)
            {
                info.Environment.Remove(key);
            }
            else
            {
                info.Environment[key] = value;
            }
        }
        var process = new Process { StartInfo = info };
        var started = new ApiProcess(process, new Uri($"http://127.0.0.1:{port}"));
        process.OutputDataReceived += (_, e) => started.Append(started._stdout, e.Data);
        process.ErrorDataReceived += (_, e) => started.Append(started._stderr, e.Data);
        process.Start();
        // Never outlives the test host, even a killed one.
        started._watchdog = LocalProcess.Watch(process.Id, System.Environment.ProcessId);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return started;
    }

    private void Append(List<string> lines, string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (lines)
        {
            lines.Add(line);
        }
    }

}
