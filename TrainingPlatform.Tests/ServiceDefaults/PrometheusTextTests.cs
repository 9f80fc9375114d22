using Xunit.Sdk;

namespace TrainingPlatform.Tests.ServiceDefaults;

/// <summary>The reader every metrics test relies on must not turn a renamed metric or label into a passing zero.</summary>
public class PrometheusTextTests
{
    private static readonly PrometheusText Scrape = PrometheusText.Parse("""
        # HELP security_events_total Security events.
        # TYPE security_events_total counter
        # HELP http_requests_received_total Requests.
        # TYPE http_requests_received_total counter
        http_requests_received_total{code="200",method="GET"} 3
        http_requests_received_total{code="404",method="GET"} 1
        # TYPE http_request_duration_seconds histogram
        http_request_duration_seconds_count{method="GET"} 4

        """);

    [Fact]
    public void Value_sums_the_matching_series()
    {
        Assert.Equal(4, Scrape.Value("http_requests_received_total", ("method", "GET")));
        Assert.Equal(1, Scrape.Value("http_requests_received_total", ("code", "404")));
        Assert.Equal(4, Scrape.Value("http_request_duration_seconds_count"));
    }

    [Fact]
    public void A_series_that_does_not_exist_is_a_failure_not_zero()
    {
        Assert.Throws<TrueException>(() => Scrape.Value("http_requests_received_total", ("code", "500")));
        Assert.Throws<TrueException>(() => Scrape.Value("http_requests_received_total", ("status_code", "200")));
        Assert.Throws<TrueException>(() => Scrape.Value("security_events_total"));
    }

    [Fact]
    public void A_series_that_may_be_absent_reads_zero_only_when_its_metric_is_exposed()
    {
        Assert.Equal(0, Scrape.ValueOrZero("security_events_total", ("reason", "rate_limited")));
        Assert.Throws<TrueException>(() => Scrape.ValueOrZero("security_event_total"));
        Assert.Throws<TrueException>(() => Scrape.ValueOrZero("http_server_errors_total"));
    }
}
