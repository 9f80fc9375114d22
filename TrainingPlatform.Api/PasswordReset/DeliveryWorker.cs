using TrainingPlatform.Api.Email;

namespace TrainingPlatform.Api.PasswordReset;

/// <summary>
/// Works through <see cref="DeliveryQueue"/>: looks the account up, issues a token and sends it, one attempt at a
/// time. The request itself only queues the address, so it does the same work, in the same time, whether or not
/// the account exists, and a slow or failing mail server never delays or fails it.
/// </summary>
/// <remarks>
/// A failed send is not retried in place: the message gets its own next-attempt time, after
/// <c>PasswordReset:RetryDelay</c> doubling up to <c>MaxRetryDelay</c>, and other resets are sent meanwhile, so one
/// address a relay keeps deferring (451) delays nobody else. At most <c>MaxAttempts</c> attempts; a refusal
/// (<see cref="EmailRefusedException"/>, the sender's call) is final. Messages waiting for a retry count against
/// <c>QueueCapacity</c> too: while that many wait, new requests stay in the queue (and beyond it are dropped).
/// Logs name the user id, never the address's token or link.
/// On shutdown the host stops the web server first, then this service: the queue closes and what it still holds, or
/// waits to retry, is delivered for up to <c>PasswordReset:DrainTimeout</c>; anything left then is abandoned (counted
/// and logged), and those people ask again. Everything lives in memory, so a crash loses it the same way.
/// </remarks>
internal sealed class DeliveryWorker(DeliveryQueue queue, UserStore users, ResetTokens resets, IResetSender sender,
    EmailMetrics metrics, PasswordResetSettings settings, TimeProvider clock, ILoggerFactory loggers) : BackgroundService
{
    /// <summary>The log category, as it was named before this class moved: operators' filters and searches use it.</summary>
    public const string LogCategory = "TrainingPlatform.Api.Accounts.PasswordResetDelivery";

    private readonly ILogger _logger = loggers.CreateLogger(LogCategory);

    // Cancelled when the drain time is up, not when stopping starts: stopping only closes the queue.
    private readonly CancellationTokenSource _drainOver = new();

    // Messages that failed an attempt, by when the next one is due. Only the worker's loop touches it.
    private readonly PriorityQueue<Pending, DateTimeOffset> _retries = new();

    // True while the loop holds a request taken from the queue or the retries (being prepared or sent).
    private bool _holding;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (await NextAsync(_drainOver.Token) is { } next)
            {
                await AttemptAsync(next, _drainOver.Token);
                _holding = false;
            }
        }
        catch (OperationCanceledException) when (_drainOver.IsCancellationRequested)
        {
            var left = (_holding ? 1 : 0) + _retries.Count;
            while (queue.Reader.TryRead(out _))
            {
                left++;
            }
            for (var i = 0; i < left; i++)
            {
                metrics.Finished(EmailResult.Abandoned);
            }
            _logger.LogWarning("Shutdown drain time ({DrainTimeout}) over: {Left} queued password reset requests abandoned", settings.DrainTimeout, left);
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        queue.Close();
        // A host being torn down may stop a worker its container has already disposed (seen once under a full test
        // run): then there is no drain left to bound.
        if (Volatile.Read(ref _disposed) == 0)
        {
            _drainOver.CancelAfter(settings.DrainTimeout);
        }
        await using var hostGaveUp = cancellationToken.Register(() =>
        {
            if (Volatile.Read(ref _disposed) == 0)
            {
                _drainOver.Cancel();
            }
        });
        await base.StopAsync(cancellationToken);
    }

    public override void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _drainOver.Dispose();
        }
        base.Dispose();
    }

    private int _disposed;

    /// <summary>
    /// The next message to attempt: a retry that is due, else a new request (while fewer than QueueCapacity wait to
    /// retry), else whichever comes first. Null when the queue is closed and drained and nothing waits to retry.
    /// </summary>
    private async Task<Pending?> NextAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var retryDue = _retries.TryPeek(out _, out var dueAt) ? dueAt : (DateTimeOffset?)null;
            if (retryDue <= clock.GetUtcNow())
            {
                _holding = true;
                return _retries.Dequeue();
            }
            var reading = _retries.Count < settings.QueueCapacity;
            if (reading && queue.Reader.TryRead(out var email))
            {
                _holding = true;
                if (await PrepareAsync(email, cancellationToken) is { } fresh)
                {
                    return fresh;
                }
                _holding = false;
                metrics.Done();
                continue;
            }
            reading &= !queue.Reader.Completion.IsCompleted;
            if (retryDue is null && !reading)
            {
                return null;
            }

            using var either = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var waits = new List<Task>(2);
            if (reading)
            {
                waits.Add(queue.Reader.WaitToReadAsync(either.Token).AsTask());
            }
            if (retryDue is { } due)
            {
                waits.Add(Task.Delay(due - clock.GetUtcNow() is { Ticks: > 0 } wait ? wait : TimeSpan.Zero, clock, either.Token));
            }
            await Task.WhenAny(waits);
            await either.CancelAsync();
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    /// <summary>The account and a fresh token for <paramref name="email"/>; null when there is nothing to send.</summary>
    private async Task<Pending?> PrepareAsync(string email, CancellationToken cancellationToken)
    {
        try
        {
            if (await users.FindByEmailAsync(email, cancellationToken) is not { } user)
            {
                return null;
            }
            var (token, expiresAt) = await resets.IssueAsync(user.Id, cancellationToken);
            return new Pending(new ResetMessage(user.Email, token, expiresAt), user.Id, 1);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The database is out: the request is lost, as it would have been with a 503; the person asks again.
            _logger.LogError(e, "Password reset request not processed: the account could not be read or the token stored");
            return null;
        }
    }

    /// <summary>One attempt: done with the message (sent or given up), or its next attempt scheduled.</summary>
    private async Task AttemptAsync(Pending pending, CancellationToken cancellationToken)
    {
        var (message, userId, attempt) = pending;
        try
        {
            await sender.SendAsync(message, cancellationToken);
            metrics.Finished(EmailResult.Sent);
            _logger.LogInformation("Password reset email sent for user {UserId} (attempt {Attempt})", userId, attempt);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            metrics.Count(EmailResult.Failed);
            if (e is EmailRefusedException || attempt >= settings.MaxAttempts)
            {
                metrics.Finished(EmailResult.Abandoned);
                _logger.LogError("Password reset email for user {UserId} abandoned after attempt {Attempt}: {Reason}", userId, attempt, e.Message);
                return;
            }
            var delay = settings.RetryDelayAfter(attempt);
            _retries.Enqueue(pending with { Attempt = attempt + 1 }, clock.GetUtcNow() + delay);
            _logger.LogWarning("Password reset email for user {UserId} failed (attempt {Attempt} of {MaxAttempts}), retrying in {Delay}: {Reason}",
                userId, attempt, settings.MaxAttempts, delay, e.Message);
        }
    }

    /// <summary>A reset email on its way: the message, whose it is, and the number of the attempt it is at.</summary>
    private sealed record Pending(ResetMessage Message, long UserId, int Attempt);
}
