using System.Threading.RateLimiting;

namespace TrainingPlatform.Api.RateLimiting;

/// <summary>
/// The per-account limits (<see cref="RateLimitPolicies.WithAccountRateLimits"/>): attempts per account and client
/// address; and the brake on password guesses (<see cref="RateLimitPolicies.WithPasswordGuessBrake"/>), a budget per
/// account that sign-ins and password changes share.
/// </summary>
internal sealed class AccountLimiter : IDisposable
{
    private readonly RateLimitSettings _settings;
    private readonly RateLimitStore _store;
    private readonly PartitionedRateLimiter<string> _limiter;
    private readonly PartitionedRateLimiter<string> _resets;

    public AccountLimiter(RateLimitSettings settings, RateLimitStore store)
    {
        _settings = settings;
        _store = store;
        _limiter = PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.Get(key,
            partition => store.Create("account", partition, settings.AccountPermitLimit, settings.Window)));
        _resets = PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.Get(key,
            partition => store.Create("account-resets", partition, settings.AccountResetLimit, settings.AccountBrakeWindow)));
    }

    public async ValueTask<RateLimitLease> AcquireAsync(string policy, string account, string client)
    {
        var lease = await _limiter.AcquireAsync($"{policy}:{account}:{client}");
        if (policy != RateLimitPolicies.PasswordReset || !lease.IsAcquired)
        {
            return lease;
        }
        lease.Dispose();
        return await _resets.AcquireAsync(account);
    }

    /// <summary>
    /// Counts a password guess on <paramref name="account"/> from <paramref name="client"/> before the password is
    /// checked: null when it may go ahead, else a refused lease saying how long the refusal lasts. Once the account
    /// has <c>AccountBrakeLimit</c> guesses in the window, an address that has guessed gets no further one, while an
    /// address that has not gets exactly one (so the owner still signs in, and parallel requests cannot get more).
    /// </summary>
    public async ValueTask<RateLimitLease?> ReserveGuessAsync(string account, string client) =>
        await _store.ReserveAsync(GuessesKey(account), GuessesKey(account, client), _settings.AccountBrakeLimit, _settings.AccountBrakeWindow)
            is { } retryAfter ? new RefusedLease(retryAfter) : null;

    /// <summary>Takes back a reserved guess that was not a wrong password (right, or never checked).</summary>
    public Task GuessWasNotWrongAsync(string account, string client) =>
        _store.RefundAsync(GuessesKey(account), GuessesKey(account, client));

    public void Dispose()
    {
        _limiter.Dispose();
        _resets.Dispose();
    }

    private static string GuessesKey(string account) => "signin-failures:" + account;

    private static string GuessesKey(string account, string client) => $"signin-failures:{account}:{client}";
}
