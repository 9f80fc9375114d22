using System.Diagnostics.Metrics;

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
/// or being sent, retries included): the meter <c>TrainingPlatform.Email</c>, which /metrics and the dashboard read.
/// </summary>
public sealed class EmailMetrics
{
    public const string SentTotal = "emails_sent_total";
    public const string QueueBacklog = "email_queue_backlog";

    private static readonly KeyValuePair<string, object?>[] Results =
        [.. Enum.GetNames<EmailResult>().Select(name => new KeyValuePair<string, object?>("result", name.ToLowerInvariant()))];

    private readonly Counter<long> _results;
    private long _backlog;

    public EmailMetrics(IMeterFactory meters)
    {
        var meter = meters.Create("TrainingPlatform.Email");
        _results = meter.CreateCounter<long>("emails.sent", description: "Outgoing emails by result: sent, failed (one attempt), abandoned, dropped (queue full).");
        // Every result from the start: the alerts on abandoned and dropped emails then see the first one as an increase.
        foreach (var result in Results)
        {
            _results.Add(0, result);
        }
        meter.CreateObservableGauge("email.queue.backlog", () => Interlocked.Read(ref _backlog), description: "Emails queued or being sent, retries included.");
    }

    public void Count(EmailResult result) => _results.Add(1, Results[(int)result]);

    public void Queued() => Interlocked.Increment(ref _backlog);

    public void Done() => Interlocked.Decrement(ref _backlog);

    /// <summary>An email leaves the backlog with its final result: out of the backlog first, so a scrape that sees the result never sees it still queued.</summary>
    public void Finished(EmailResult result)
    {
        Done();
        Count(result);
    }
}
