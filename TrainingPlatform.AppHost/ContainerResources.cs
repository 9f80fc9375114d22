namespace TrainingPlatform.AppHost;

/// <summary>
/// PostgreSQL's container form, in containers mode and deployed (its local form is in LocalResources.cs). Every other
/// resource is a file of its own holding all its modes.
/// </summary>
public static class ContainerResources
{
    public static IResourceBuilder<IResourceWithConnectionString> AddContainerPostgres(
        this IDistributedApplicationBuilder builder, string databaseName) =>
        builder.AddPostgres("postgres", password: builder.AddParameter("postgres-password", secret: true))
            .WithImageTag(ContainerImages.Postgres.Tag)
            .WithDataVolume("trainingplatform-postgres")
            .AddDatabase(databaseName);
}
