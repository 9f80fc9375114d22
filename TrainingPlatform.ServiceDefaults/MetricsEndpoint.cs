using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Matching;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace TrainingPlatform.ServiceDefaults;

/// <summary>
/// The /metrics gate: <c>METRICS_ENABLED</c> or <c>Metrics:Enabled</c> (default on only in Development); off, the
/// path is a 404 like any unknown one. <c>Metrics:Port</c> serves it only on that extra port, never the public one.
/// </summary>
public static class MetricsEndpoint
{
    public const string Path = "/metrics";

    internal static void AddMetricsEndpoint(this IHostApplicationBuilder builder)
    {
        var settings = MetricsSettings.Read(builder.Configuration, builder.Environment);
        builder.Services.AddSingleton(settings);
        if (settings is { Enabled: true, Port: { } port })
        {
            builder.Services.AddTransient<IStartupFilter>(services => new InternalPortBinding(services.GetRequiredService<IServer>(), port));
            builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<MatcherPolicy, InternalPortPolicy>());
        }
    }

    internal static void MapMetricsEndpoint(this WebApplication app)
    {
        var settings = app.Services.GetRequiredService<MetricsSettings>();
        if (!settings.Enabled)
        {
            return;
        }
        var metrics = app.Services.GetRequiredService<ServiceMetrics>();
        // Any method, like prometheus-net's own endpoint, so no 405 hints that the path exists. The route also
        // matches "/metrics/". Scrapes are not requests to the service: ASP.NET Core's meter and the service's own
        // request series skip this endpoint, and WriteAsync keeps it out of the in-flight gauge and the traces.
        var endpoint = app.Map(Path, context => metrics.WriteAsync(context.Response)).DisableHttpMetrics();
        if (settings.Port is { } port)
        {
            endpoint.WithMetadata(new InternalPort(port));
        }
    }

    internal sealed record MetricsSettings(bool Enabled, int? Port)
    {
        public static MetricsSettings Read(IConfiguration configuration, IHostEnvironment environment)
        {
            var enabled = configuration["METRICS_ENABLED"] ?? configuration["Metrics:Enabled"];
            var port = configuration["Metrics:Port"];
            return new MetricsSettings(
                enabled is null ? environment.IsDevelopment() : bool.Parse(enabled),
                string.IsNullOrWhiteSpace(port) ? null : int.Parse(port, System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    private sealed record InternalPort(int Port);

    /// <summary>
    /// Adds the metrics port to the addresses the server was told to use. Calling Kestrel's Listen methods
    /// instead would make ASP.NET Core ignore ASPNETCORE_URLS and the other configured addresses.
    /// </summary>
    private sealed class InternalPortBinding(IServer server, int port) : IStartupFilter
    {
        private const string KestrelDefault = "http://localhost:5000";

        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next)
        {
            var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses;
            if (addresses is { IsReadOnly: false })
            {
                if (addresses.Count == 0)
                {
                    addresses.Add(KestrelDefault);
                }
                var host = BindingAddress.Parse(addresses.First()).Host;
                addresses.Add($"http://{host}:{port}");
            }
            return next;
        }
    }

    /// <summary>Drops the metrics endpoint from the candidates unless the connection arrived on its port.</summary>
    private sealed class InternalPortPolicy : MatcherPolicy, IEndpointSelectorPolicy
    {
        public override int Order => 0;

        public bool AppliesToEndpoints(IReadOnlyList<Endpoint> endpoints) =>
            endpoints.Any(endpoint => endpoint.Metadata.GetMetadata<InternalPort>() is not null);

        public Task ApplyAsync(HttpContext httpContext, CandidateSet candidates)
        {
            for (var i = 0; i < candidates.Count; i++)
            {
                if (candidates[i].Endpoint.Metadata.GetMetadata<InternalPort>() is { } internalPort
                    && internalPort.Port != httpContext.Connection.LocalPort)
                {
                    candidates.SetValidity(i, false);
                }
            }
            return Task.CompletedTask;
        }
    }
}
