extern alias AppHost;

using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;

namespace TrainingPlatform.Tests.Stack;

/// <summary>
/// An operator's <c>Parameters:&lt;name&gt;</c> wins over a parameter's default in every parameter that has one (the
/// README's <c>Parameters__alertmanager-page-url=...</c>, a backup schedule, metrics off), and the default holds
/// otherwise. The AppHost is only built, never started.
/// </summary>
public class StackParametersTests
{
    [Theory]
    [InlineData("metrics-enabled", "true", "false")]
    [InlineData("sentry-dsn", "", "http://key@127.0.0.1:9/1")]
    [InlineData("alertmanager-page-url", "", "http://127.0.0.1:9/page")]
    [InlineData("backup-schedule", "0 2 * * *", "*/5 * * * *")]
    [InlineData("backup-encryption-key", "", "AGE-SECRET-KEY-1QQQQ")]
    public async Task A_configured_value_wins_over_the_default(string name, string defaultValue, string configured)
    {
        Assert.Equal(defaultValue, await ValueAsync(name, []));
        Assert.Equal(configured, await ValueAsync(name, [$"--Parameters:{name}={configured}"]));
    }

    private static async Task<string?> ValueAsync(string name, string[] arguments)
    {
        using var data = new TempFolder("tp-parameters-");
        using var builder = await DistributedApplicationTestingBuilder.CreateAsync<AppHost::Projects.TrainingPlatform_AppHost>(
            ["--Stack:Mode=local", $"--Stack:DataDirectory={data.FullName}", .. arguments], StackFixture.Timeout(60));
        var parameter = builder.Resources.OfType<ParameterResource>().Single(p => p.Name == name);
        return await parameter.GetValueAsync(StackFixture.Timeout(10));
    }
}
