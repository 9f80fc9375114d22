namespace TrainingPlatform.Tests.Infrastructure;

public class ApiServerTests
{
    [Fact]
    public async Task The_api_answers_over_real_http()
    {
        await using var api = await ApiServer.StartAsync();
        using var client = api.CreateHttpClient();
        var response = await client.GetAsync("/healthz");
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
    }
}
