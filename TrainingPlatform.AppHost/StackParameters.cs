namespace TrainingPlatform.AppHost;

/// <summary>
/// Parameters with a default that an operator's <c>Parameters:&lt;name&gt;</c> (environment
/// <c>Parameters__&lt;name&gt;</c>) overrides. Aspire's <c>AddParameter(name, value)</c> takes the value as a constant and
/// ignores the configuration, so locally <c>Parameters__alertmanager-page-url=...</c> would do nothing.
/// </summary>
public static class StackParameters
{
    /// <summary>
    /// A parameter defaulting to <paramref name="value"/>; the manifest publishes the default unless
    /// <paramref name="askWhenDeployed"/>, in which case azd asks for it.
    /// </summary>
    public static IResourceBuilder<ParameterResource> AddParameterWithDefault(this IDistributedApplicationBuilder builder, string name,
        string value, bool secret = false, bool askWhenDeployed = false) =>
        askWhenDeployed
            ? builder.AddParameter(name, () => builder.Configuration[$"Parameters:{name}"] ?? value, publishValueAsDefault: false, secret: secret)
            : builder.AddParameter(name, new PublishedDefault(value), secret: secret);

    /// <summary>
    /// The parameter <paramref name="name"/> as the first resource that needs it added it, or a new one: the S3 and
    /// pgBackRest schedule parameters are shared by the server's archiving (Postgres.cs) and the backups service.
    /// </summary>
    public static IResourceBuilder<ParameterResource> SharedParameterWithDefault(this IDistributedApplicationBuilder builder, string name,
        string value, bool secret = false) =>
        builder.Resources.OfType<ParameterResource>().FirstOrDefault(p => p.Name == name) is { } existing
            ? builder.CreateResourceBuilder(existing)
            : builder.AddParameterWithDefault(name, value, secret);

    /// <summary>A default the manifest carries (azd then does not ask) and the configuration overrides.</summary>
    private sealed class PublishedDefault(string value) : ParameterDefault
    {
        public override void WriteToManifest(Aspire.Hosting.Publishing.ManifestPublishingContext context) => context.Writer.WriteString("value", value);

        public override string GetDefaultValue() => value;
    }
}
