using System.Net.Sockets;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace TrainingPlatform.Tests.ServiceDefaults;

/// <summary>
/// A small service built the way every real one is (<c>AddServiceDefaults</c>, <c>MapDefaultEndpoints</c>), with a
/// few endpoints that produce each kind of response, served by Kestrel on 127.0.0.1 over real HTTP. For the tests of
/// TrainingPlatform.ServiceDefaults: what every service gets (request ids, access log, metrics, problems, health)
/// proven without the API's routes, database or accounts, so a failure points at the shared defaults.
/// </summary>
public sealed class ServiceHost : IAsyncDisposable
{
    public const string UserHeader = "X-Test-User";

    private ServiceHost(WebApplication app, CapturedLogs logs, Uri baseAddress, Uri? metricsAddress)
    {
        App = app;
        Logs = logs;
        BaseAddress = baseAddress;
        MetricsAddress = metricsAddress;
    }

    public WebApplication App { get; }
    public CapturedLogs Logs { get; }
    public Uri BaseAddress { get; }

    /// <summary>The internal metrics port's address, when <c>Metrics:Port</c> is set.</summary>
    public Uri? MetricsAddress { get; }

    public static async Task<ServiceHost> StartAsync(
        string environment = "Production",
        IReadOnlyDictionary<string, string?>? settings = null,
        Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = environment });
        builder.Configuration.AddInMemoryCollection(settings ?? new Dictionary<string, string?>());
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = 1024);
        var logs = new CapturedLogs();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(logs);
        configure?.Invoke(builder);

        builder.AddServiceDefaults();

        builder.Services.AddAuthentication(HeaderAuthentication.Name)
            .AddScheme<AuthenticationSchemeOptions, HeaderAuthentication>(HeaderAuthentication.Name, null);
        builder.Services.AddAuthorizationBuilder().AddPolicy("admin", policy => policy.RequireRole("admin"));
        builder.Services.AddExceptionHandler<OutageHandler>();

        var app = builder.Build();
        // The pipeline in the order a service's Program.cs puts it.
        app.UseServiceDefaults();
        app.UseRouting();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapDefaultEndpoints();
        app.MapGet("/ok", () => "ok");
        app.MapGet("/items/{id}", (string id) => id);
        app.MapGet("/boom", string () => throw new InvalidOperationException("secret detail of the failure"));
        app.MapGet("/broken-stream", async (HttpResponse response) =>
        {
            await response.WriteAsync("partial");
            await response.Body.FlushAsync();
            throw new InvalidOperationException("failed after the response began");
        });
        app.MapGet("/outage", string () => throw new DatabaseOutageException());
        app.MapGet("/private", () => "private").RequireAuthorization();
        app.MapGet("/admin", () => "admin").RequireAuthorization("admin");
        app.MapGet("/busy", () => Results.StatusCode(StatusCodes.Status429TooManyRequests));
        // Security-sensitive groups, declared as the API declares its own: their 4xx answers are security events.
        var auth = app.MapGroup("/api/v1/auth").WithSecurityAudit();
        auth.MapPost("/login", () => Results.BadRequest());
        auth.MapPost("/logout", () => Results.NoContent());
        var passwords = app.MapGroup("/api/v1/password").WithSecurityAudit();
        passwords.MapPost("/change", () => Results.NoContent());
        passwords.MapPost("/reset/confirm", () => Results.NoContent());
        app.MapPost("/api/v1/upload/{id}", (string id) => Results.NotFound(id)).WithSecurityAudit();
        app.MapGet("/api/v1/uploads-report", () => Results.BadRequest());
        app.MapPost("/json", (Payload payload) => payload.Name);
        app.MapPost("/upload", async (HttpRequest request) =>
        {
            await request.Body.CopyToAsync(Stream.Null);
            return "stored";
        });
        await app.StartAsync();

        var metricsPort = settings?.GetValueOrDefault("Metrics:Port") is { } port ? int.Parse(port) : (int?)null;
        var addresses = app.Urls.Select(url => new Uri(url)).ToList();
        return new ServiceHost(app, logs,
            addresses.First(address => address.Port != metricsPort),
            addresses.FirstOrDefault(address => address.Port == metricsPort));
    }

    /// <summary>A plain client over real HTTP, without redirects.</summary>
    public HttpClient CreateClient() => new(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = BaseAddress };


    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await App.StopAsync(timeout.Token);
        await App.DisposeAsync();
    }

    public sealed record Payload(string Name);

    /// <summary>What the API does with a database outage: an exception handler registered by the service.</summary>
    public sealed class DatabaseOutageException() : Exception("database unreachable");

    private sealed class OutageHandler(IProblemDetailsService problems) : IExceptionHandler
    {
        public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
        {
            if (exception is not DatabaseOutageException)
            {
                return false;
            }
            httpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return await problems.TryWriteAsync(new ProblemDetailsContext
            {
                HttpContext = httpContext,
                ProblemDetails = { Status = StatusCodes.Status503ServiceUnavailable, Title = "The database is unavailable." },
            });
        }
    }

    /// <summary>Authenticates whoever names a user in <see cref="UserHeader"/>, with that name as the sub claim.</summary>
    private sealed class HeaderAuthentication(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        public const string Name = "Header";

        protected override Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            if (Request.Headers[UserHeader] is not [{ } user])
            {
                return Task.FromResult(AuthenticateResult.NoResult());
            }
            var identity = new ClaimsIdentity([new Claim("sub", user)], Name);
            return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Name)));
        }
    }
}
