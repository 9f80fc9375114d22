using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Caching.Memory;

namespace TrainingPlatform.Api.Sessions;

public static class SessionsServices
{
    /// <summary>
    /// Sessions and their tokens: the signing key, JWT bearer authentication checked against session revocation, and
    /// the instructor policy.
    /// </summary>
    public static IHostApplicationBuilder AddSessions(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        var jwt = builder.Configuration.GetSection(JwtSettings.Section).Get<JwtSettings>() ?? new JwtSettings();
        jwt.SigningKeyBytes = JwtSigningKey.Resolve(builder.Configuration, builder.Environment);
        jwt.PreviousSigningKeyBytes = JwtSigningKey.ResolvePrevious(builder.Configuration, jwt.SigningKeyBytes);

        services.Configure<JwtSettings>(options =>
        {
            builder.Configuration.GetSection(JwtSettings.Section).Bind(options);
            options.SigningKeyBytes = jwt.SigningKeyBytes;
            options.PreviousSigningKeyBytes = jwt.PreviousSigningKeyBytes;
        });
        services.AddSingleton<AccessTokens>();
        services.AddSingleton<SessionStore>();
        services.AddSingleton<SessionTokens>();
        SessionRevocations.CacheSeconds(builder.Configuration);
        services.AddMemoryCache();
        services.AddSingleton<SessionRevocations>();

        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer(options =>
        {
            options.MapInboundClaims = false;
            // Nothing reads the token back from the authentication properties; keeping it there cost a dictionary per request.
            options.SaveToken = false;
            options.TokenValidationParameters = AccessTokens.ValidationParameters(jwt);
            options.Events = new JwtBearerEvents
            {
                OnTokenValidated = SessionRevocations.RejectEndedSessionAsync,
                OnChallenge = async context =>
                {
                    context.HandleResponse();
                    context.Response.Headers.WWWAuthenticate = "Bearer";
                    await ProblemResponses.WriteAsync(context.HttpContext, StatusCodes.Status401Unauthorized, "Unauthorized",
                        "A valid bearer access token is required.");
                },
                OnForbidden = context => ProblemResponses.WriteAsync(context.HttpContext, StatusCodes.Status403Forbidden, "Forbidden",
                    "Your account is not allowed to do this."),
            };
        });
        // Validation through the cache of tokens already validated (it needs the cache, so it is set once the container is built).
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme).Configure<IMemoryCache>((options, cache) =>
        {
            options.TokenHandlers.Clear();
            options.TokenHandlers.Add(new ValidatedTokens(cache));
        });
        services.AddAuthorizationBuilder()
            .AddPolicy(Roles.Instructor, policy => policy.RequireRole(Roles.Instructor));
        return builder;
    }
}
