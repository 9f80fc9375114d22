using Microsoft.AspNetCore.HttpOverrides;
using Forward = Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders;
using Microsoft.Extensions.Configuration;

namespace TrainingPlatform.ServiceDefaults;

/// <summary>
/// X-Forwarded-For and X-Forwarded-Proto are honoured only from the proxies and networks in
/// <c>ForwardedHeaders:KnownProxies</c> and <c>ForwardedHeaders:KnownNetworks</c>. ASP.NET Core trusts loopback
/// by default; that is cleared, so a client talking to the service directly cannot choose its logged address.
/// </summary>
internal static class ForwardedHeaders
{
    internal static void AddTrustedProxies(this IHostApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection("ForwardedHeaders");
        var proxies = Values(section.GetSection("KnownProxies")).Select(System.Net.IPAddress.Parse).ToArray();
        var networks = Values(section.GetSection("KnownNetworks")).Select(System.Net.IPNetwork.Parse).ToArray();
        builder.Services.Configure<ForwardedHeadersOptions>(options =>
        {
            // With both lists empty the middleware trusts every peer, so without a configured proxy it forwards nothing.
            options.ForwardedHeaders = proxies.Length + networks.Length == 0
                ? Forward.None
                : Forward.XForwardedFor | Forward.XForwardedProto;
            options.KnownProxies.Clear();
            options.KnownIPNetworks.Clear();
            foreach (var proxy in proxies)
            {
                options.KnownProxies.Add(proxy);
            }
            foreach (var network in networks)
            {
                options.KnownIPNetworks.Add(network);
            }
        });
    }

    // Each entry may hold several comma-separated values, so one deployment parameter can name several networks.
    private static IEnumerable<string> Values(IConfigurationSection section) =>
        section.GetChildren().Select(child => child.Value).OfType<string>()
            .SelectMany(value => value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
}
