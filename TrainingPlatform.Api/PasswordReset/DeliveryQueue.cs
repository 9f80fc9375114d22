using System.Threading.Channels;
using TrainingPlatform.Api.Email;

namespace TrainingPlatform.Api.PasswordReset;

/// <summary>
/// Reset requests (normalised email addresses) waiting for <see cref="DeliveryWorker"/>: bounded by
/// <c>PasswordReset:QueueCapacity</c> (default 1000), in memory only.
/// </summary>
public sealed class DeliveryQueue(PasswordResetSettings settings, EmailMetrics metrics, ILoggerFactory loggers)
{
    /// <summary>The log category, as it was named before this class moved: operators' filters and searches use it.</summary>
    public const string LogCategory = "TrainingPlatform.Api.Accounts.PasswordResetQueue";

    private readonly ILogger _logger = loggers.CreateLogger(LogCategory);
    private readonly Channel<string> _channel = Channel.CreateBounded<string>(
        new BoundedChannelOptions(settings.QueueCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    internal ChannelReader<string> Reader => _channel.Reader;

    /// <summary>Never waits: a full (or closed) queue drops the request, logged and counted; the caller answers the same either way.</summary>
    public void Enqueue(string email)
    {
        if (_channel.Writer.TryWrite(email))
        {
            metrics.Queued();
            return;
        }
        metrics.Count(EmailResult.Dropped);
        _logger.LogWarning("Password reset request dropped: the queue is full ({Capacity}) or closed for shutdown", settings.QueueCapacity);
    }

    /// <summary>No more requests; what is queued can still be read.</summary>
    internal void Close() => _channel.Writer.TryComplete();
}
