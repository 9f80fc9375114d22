using Microsoft.AspNetCore.Identity;

namespace TrainingPlatform.Api.Accounts;

public static class AccountsServices
{
    /// <summary>Accounts and password hashing (iterations from <c>Passwords:HashIterations</c>).</summary>
    public static IHostApplicationBuilder AddAccounts(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.Configure<PasswordHasherOptions>(options =>
            options.IterationCount = builder.Configuration.GetValue("Passwords:HashIterations", options.IterationCount));
        services.AddSingleton<IPasswordHasher<UserAccount>, PasswordHasher<UserAccount>>();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<Credentials>();
        services.AddSingleton<UserStore>();
        return builder;
    }
}
