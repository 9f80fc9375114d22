namespace TrainingPlatform.Api.Uploads;

public static class UploadsServices
{
    public static IHostApplicationBuilder AddUploads(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton(UploadSettings.From(builder.Configuration));
        builder.Services.AddSingleton<UploadQuota>();
        builder.Services.AddSingleton<MaterialStore>();
        return builder;
    }
}
