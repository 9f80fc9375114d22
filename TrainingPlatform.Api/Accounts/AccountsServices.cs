using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Identity;

namespace TrainingPlatform.Api.Accounts;

public static class AccountsServices
{
    /// <summary>
    /// Accounts, password hashing, password reset delivery, JWT bearer authentication, the instructor policy and the
    /// credential rate limits.
    /// </summary>
    public static IHostApplicationBuilder AddAccounts(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        var jwt = builder.Configuration.GetSection(JwtSettings.Section).Get<JwtSettings>() ?? new JwtSettings();
        jwt.SigningKeyBytes = JwtSigningKey.Resolve(builder.Configuration, builder.Environment);
        jwt.PreviousSigningKeyBytes = JwtSigningKey.ResolvePrevious(builder.Configuration, jwt.SigningKeyBytes);
        builder.AddPasswordResetDelivery();

        services.Configure<JwtSettings>(options =>
        {
            builder.Configuration.GetSection(JwtSettings.Section).Bind(options);
            options.SigningKeyBytes = jwt.SigningKeyBytes;
            options.PreviousSigningKeyBytes = jwt.PreviousSigningKeyBytes;
        });
        services.Configure<PasswordHasherOptions>(options =>
            options.IterationCount = builder.Configuration.GetValue("Passwords:HashIterations", options.IterationCount));
        services.AddSingleton<IPasswordHasher<UserAccount>, PasswordHasher<UserAccount>>();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<Credentials>();
        services.AddSingleton<AccessTokens>();
        services.AddSingleton<UserStore>();
        services.AddSingleton<RefreshTokens>();
        services.AddSingleton<PasswordResets>();
        services.AddSingleton<Sessions>();
        SessionRevocations.CacheSeconds(builder.Configuration);
        services.AddSingleton<SessionRevocations>();

        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer(options =>
        {
            options.MapInboundClaims = false;
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
        services.AddAuthorizationBuilder()
            .AddPolicy(Roles.Instructor, policy => policy.RequireRole(Roles.Instructor));
        services.AddAccountRateLimits();
        return builder;
    }
}
