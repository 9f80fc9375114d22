using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;

namespace TrainingPlatform.Tests.Infrastructure;

/// <summary>
/// The real API served by Kestrel on a loopback port (real HTTP, real client ip), against a real database, inside
/// the test process. Settings are passed as configuration keys, exactly as environment variables would set them.
/// The default host for API behaviour (routes, validation, limits, configuration checks): it starts in about a second,
/// runs in Development unless told otherwise, and can replace a service (a sender, a logger provider). Choose
/// <see cref="ApiProcess"/> instead when the test needs what only a process has.
/// </summary>
public sealed class ApiServer : WebApplicationFactory<Program>
{
    private readonly IReadOnlyDictionary<string, string?> _settings;
    private readonly string _environment;
    private readonly Action<IServiceCollection>? _configureServices;

    private ApiServer(string connectionString, string environment, IReadOnlyDictionary<string, string?>? settings,
        Action<IServiceCollection>? configureServices)
    {
        _environment = environment;
        _configureServices = configureServices;
        var all = new Dictionary<string, string?>
        {
            ["ConnectionStrings:training"] = PostgresServer.Pooled(connectionString),
            ["Jwt:SigningKey"] = Convert.ToBase64String("test-signing-key-0123456789-abcdefghijklmnopqrstuvwxyz"u8),
            // No start-up warm-up, as in ApiFixture.Settings: in the test process the JIT never settles (every class
            // compiles), so each start would take its full bound. WarmUpTests unset it (null) for the default.
            [TrainingPlatform.Api.Http.WarmUp.CallsKey] = "0",
        };
        // A null value unsets a key, as for an ApiProcess's environment (the host would read it as "").
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                all.Remove(key);
            }
            else
            {
                all[key] = value;
            }
        }
        _settings = all;
        UseKestrel(0);
    }

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>
    /// Starts the API on a fresh database of <paramref name="postgres"/> (the shared server by default).
    /// <paramref name="configureServices"/> runs after the API's own registrations, to replace a service (e.g. a sender).
    /// </summary>
    public static async Task<ApiServer> StartAsync(
        IReadOnlyDictionary<string, string?>? settings = null,
        string environment = "Development",
        PostgresServer? postgres = null,
        string? connectionString = null,
        Action<IServiceCollection>? configureServices = null)
    {
        postgres ??= await PostgresServer.SharedAsync();
        connectionString ??= await postgres.CreateDatabaseAsync();
        var server = new ApiServer(connectionString, environment, settings, configureServices);
        server.StartServer();
        var address = server.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!
            .Addresses.First();
        server.BaseAddress = new Uri(address.Replace("[::]", "127.0.0.1").Replace("localhost", "127.0.0.1"));
        return server;
    }

    /// <summary>A plain client over real HTTP, with no cookies or redirects of its own.</summary>
    public HttpClient CreateHttpClient() => new(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = BaseAddress };

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(_environment);
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
        if (_configureServices is not null)
        {
            builder.ConfigureTestServices(_configureServices);
        }
    }
}
