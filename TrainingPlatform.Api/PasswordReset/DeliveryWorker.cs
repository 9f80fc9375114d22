using TrainingPlatform.Api.Email;

using TrainingPlatform.Api.Accounts;

namespace TrainingPlatform.Api.PasswordReset;

/// <summary>
/// Works through <see cref="DeliveryQueue"/> one request at a time: looks the account up, issues a token and
/// sends it. The request itself only queues the address, so it does the same work, in the same time, whether or not
/// the account exists, and a slow or failing mail server never delays or fails it.
/// </summary>
/// <remarks>
/// A failed send is tried again after <c>PasswordReset:RetryDelay</c>, doubling up to <c>MaxRetryDelay</c>, at most
/// <c>MaxAttempts</c> times; a refusal (<see cref="EmailRefusedException"/>, the sender's call) is final. Logs name the user id, never the address's token or link.
/// On shutdown the host stops the web server first, then this service: the queue closes and what it still holds is
/// delivered for up to <c>PasswordReset:DrainTimeout</c>; anything left then is abandoned (counted and logged), and
/// those people ask again. The queue lives in memory, so a crash loses it the same way.
/// </remarks>
internal sealed class DeliveryWorker(DeliveryQueue queue, UserStore users, ResetTokens resets, IResetSender sender,
    EmailMetrics metrics, PasswordResetSettings settings, TimeProvider clock, ILoggerFactory loggers) : BackgroundService
{
    /// <summary>The log category, as it was named before this class moved: operators' filters and searches use it.</summary>
    public const string LogCategory = "TrainingPlatform.Api.Accounts.PasswordResetDelivery";

    private readonly ILogger _logger = loggers.CreateLogger(LogCategory);

    // Cancelled when the drain time is up, not when stopping starts: stopping only closes the queue.
    private readonly CancellationTokenSource _drainOver = new();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var email in queue.Reader.ReadAllAsync(_drainOver.Token))
            {
                try
                {
                    await DeliverAsync(email, _drainOver.Token);
                }
                finally
                {
                    metrics.Done();
                }
            }
        }
        catch (OperationCanceledException) when (_drainOver.IsCancellationRequested)
        {
            var left = 0;
            while (queue.Reader.TryRead(out _))
            {
                metrics.Count(EmailResult.Abandoned);
                metrics.Done();
                left++;
            }
            _logger.LogWarning("Shutdown drain time ({DrainTimeout}) over: {Left} queued password reset requests abandoned", settings.DrainTimeout, left);
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        queue.Close();
        _drainOver.CancelAfter(settings.DrainTimeout);
        await using var hostGaveUp = cancellationToken.Register(_drainOver.Cancel);
        await base.StopAsync(cancellationToken);
    }

    public override void Dispose()
    {
        _drainOver.Dispose();
        base.Dispose();
    }

    private async Task DeliverAsync(string email, CancellationToken cancellationToken)
    {
        ResetMessage message;
        long userId;
        try
        {
            if (await users.FindByEmailAsync(email, cancellationToken) is not { } user)
            {
                return;
            }
            var (token, expiresAt) = await resets.IssueAsync(user.Id, cancellationToken);
            (message, userId) = (new ResetMessage(user.Email, user.DisplayName, token, expiresAt), user.Id);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The database is out: the request is lost, as it would have been with a 503; the person asks again.
            _logger.LogError(e, "Password reset request not processed: the account could not be read or the token stored");
            return;
        }

        var attempt = 1;
        try
        {
            while (!await TrySendAsync(message, userId, attempt, cancellationToken))
            {
                await Task.Delay(settings.RetryDelayAfter(attempt++), clock, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            metrics.Count(EmailResult.Abandoned);
            _logger.LogWarning("Password reset email for user {UserId} abandoned: shutdown drain time over (attempt {Attempt})", userId, attempt);
            throw;
        }
    }

    /// <summary>One attempt; true when the message is done with (sent or given up), false when another attempt is due.</summary>
    private async Task<bool> TrySendAsync(ResetMessage message, long userId, int attempt, CancellationToken cancellationToken)
    {
        try
        {
            await sender.SendAsync(message, cancellationToken);
            metrics.Count(EmailResult.Sent);
            _logger.LogInformation("Password reset email sent for user {UserId} (attempt {Attempt})", userId, attempt);
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            metrics.Count(EmailResult.Failed);
            if (e is EmailRefusedException || attempt >= settings.MaxAttempts)
            {
                metrics.Count(EmailResult.Abandoned);
                _logger.LogError("Password reset email for user {UserId} abandoned after attempt {Attempt}: {Reason}", userId, attempt, e.Message);
                return true;
            }
            _logger.LogWarning("Password reset email for user {UserId} failed (attempt {Attempt} of {MaxAttempts}), retrying in {Delay}: {Reason}",
                userId, attempt, settings.MaxAttempts, settings.RetryDelayAfter(attempt), e.Message);
            return false;
        }
    }
}
