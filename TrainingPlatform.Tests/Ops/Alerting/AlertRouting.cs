using TrainingPlatform.Tests.Ops.Slo;

namespace TrainingPlatform.Tests.Ops.Alerting;

/// <summary>The routing contract of issue 16: who must hear about an alert.</summary>
internal static class AlertRouting
{
    public const string Page = "page";
    public const string Ticket = "ticket";
    public const string Watchdog = "watchdog";

    public static string ReceiverFor(AlertRule rule) =>
        rule.Name == "Watchdog"
            ? Watchdog
            : rule.Labels.GetValueOrDefault("severity") switch
            {
                "critical" => Page,
                "warning" => Ticket,
                var other => throw new InvalidOperationException($"{rule.Name} has severity '{other}', which no receiver takes"),
            };
}
