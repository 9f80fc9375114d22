using System.Threading.RateLimiting;

namespace TrainingPlatform.Api.RateLimiting;

/// <summary>
/// The per-account limits (<see cref="RateLimitPolicies.WithAccountRateLimits"/>): attempts per account and client address,
/// and the brake on failed sign-ins.
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
        if (policy == RateLimitPolicies.Token)
        {
            var counts = await _store.ReadAsync(BrakeKey(account), FailedKey(account, client));
            if (counts[0] >= _settings.AccountBrakeLimit && counts[1] > 0)
            {
                return new BrakeLease(_settings.AccountBrakeWindow);
            }
        }
        var lease = await _limiter.AcquireAsync($"{policy}:{account}:{client}");
        if (policy != RateLimitPolicies.PasswordReset || !lease.IsAcquired)
        {
            return lease;
        }
        lease.Dispose();
        return await _resets.AcquireAsync(account);
    }

    public async Task SignInFailedAsync(string account, string client)
    {
        await _store.IncrementAsync(BrakeKey(account), _settings.AccountBrakeWindow);
        await _store.IncrementAsync(FailedKey(account, client), _settings.AccountBrakeWindow);
    }

    public void Dispose()
    {
        _limiter.Dispose();
        _resets.Dispose();
    }

    private static string BrakeKey(string account) => "signin-failures:" + account;

    private static string FailedKey(string account, string client) => $"signin-failures:{account}:{client}";

    private sealed class BrakeLease(TimeSpan retryAfter) : RateLimitLease
    {
        public override bool IsAcquired => false;
        public override IEnumerable<string> MetadataNames => [MetadataName.RetryAfter.Name];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = metadataName == MetadataName.RetryAfter.Name ? retryAfter : null;
            return metadata is not null;
        }
    }
}
