using TrainingPlatform.ServiceDefaults;

namespace TrainingPlatform.Api.Email;

/// <summary>What happens to outgoing email, on /metrics.</summary>
public enum EmailResult
{
    /// <summary>Accepted by the SMTP server.</summary>
    Sent,

    /// <summary>One attempt failed (it may be retried).</summary>
    Failed,

    /// <summary>Given up: refused for good, out of attempts, or still queued when the shutdown drain ended.</summary>
    Abandoned,

    /// <summary>Never queued, because the queue was full.</summary>
    Dropped,
}

/// <summary>
/// <c>emails_sent_total{result}</c> (sent, failed, abandoned, dropped) and <c>email_queue_backlog</c> (emails queued
/// or being sent, retries included), in the service's Prometheus registry.
/// </summary>
public sealed class EmailMetrics
{
    public const string SentTotal = "emails_sent_total";
    public const string QueueBacklog = "email_queue_backlog";

    private static readonly string[] Results = Enum.GetNames<EmailResult>().Select(name => name.ToLowerInvariant()).ToArray();

    private readonly ServiceCounter _results;
    private long _backlog;

    public EmailMetrics(ServiceMetrics prometheus)
    {
        _results = prometheus.Counter(SentTotal, "Outgoing emails by result: sent, failed (one attempt), abandoned, dropped (queue full).", "result");
        // Every result from the start: the alerts on abandoned and dropped emails then see the first one as an increase.
        foreach (var result in Results)
        {
            _results.Publish(result);
        }
        prometheus.ObserveGauge(QueueBacklog, "Emails queued or being sent, retries included.", () => Interlocked.Read(ref _backlog));
    }

    public void Count(EmailResult result) => _results.Inc(Results[(int)result]);

    public void Queued() => Interlocked.Increment(ref _backlog);

    public void Done() => Interlocked.Decrement(ref _backlog);
}
