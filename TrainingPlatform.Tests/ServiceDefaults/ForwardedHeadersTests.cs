namespace TrainingPlatform.Tests.ServiceDefaults;

public sealed class ForwardedHeadersTests
{
    [Fact]
    public async Task A_client_cannot_choose_its_logged_address_by_sending_X_Forwarded_For()
    {
        await using var host = await ServiceHost.StartAsync();

        var logged = await LoggedClientIpAsync(host, "203.0.113.9");

        Assert.Equal("127.0.0.1", logged);
    }

    [Fact]
    public async Task Loopback_is_not_trusted_just_because_some_other_proxy_is()
    {
        await using var host = await ServiceHost.StartAsync(settings: new Dictionary<string, string?>
        {
            ["ForwardedHeaders:KnownProxies:0"] = "10.0.0.1",
            ["ForwardedHeaders:KnownNetworks:0"] = "192.168.0.0/16",
        });

        var logged = await LoggedClientIpAsync(host, "203.0.113.9");

        Assert.Equal("127.0.0.1", logged);
    }

    [Fact]
    public async Task X_Forwarded_For_from_a_configured_proxy_is_the_client_address()
    {
        await using var host = await ServiceHost.StartAsync(settings: new Dictionary<string, string?>
        {
            ["ForwardedHeaders:KnownProxies:0"] = "127.0.0.1",
        });

        var logged = await LoggedClientIpAsync(host, "203.0.113.9");

        Assert.Equal("203.0.113.9", logged);
    }

    [Fact]
    public async Task X_Forwarded_For_from_a_configured_network_is_the_client_address()
    {
        await using var host = await ServiceHost.StartAsync(settings: new Dictionary<string, string?>
        {
            ["ForwardedHeaders:KnownNetworks:0"] = "127.0.0.0/8",
        });

        var logged = await LoggedClientIpAsync(host, "198.51.100.4");

        Assert.Equal("198.51.100.4", logged);
    }

    private static async Task<string?> LoggedClientIpAsync(ServiceHost host, string forwardedFor)
    {
        using var client = host.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/private");
        request.Headers.Add("X-Forwarded-For", forwardedFor);
        await client.SendAsync(request);
        var access = Assert.Single(await host.Logs.WaitForAsync(log => log.Category == "TrainingPlatform.Access"));
        var security = Assert.Single(await host.Logs.WaitForAsync(log => log.Category == "security"));
        Assert.Equal(access["client_ip"], security["client_ip"]);
        return (string?)access["client_ip"];
    }
}
