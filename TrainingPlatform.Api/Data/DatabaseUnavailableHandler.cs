using Microsoft.AspNetCore.Diagnostics;

namespace TrainingPlatform.Api.Data;

/// <summary>
/// A database that is down, restarting, or out of pooled connections is an outage, not a bug:
/// answer 503 with <c>Retry-After</c> and no internals, so clients and load balancers back off and retry.
/// </summary>
internal sealed class DatabaseUnavailableHandler(ILogger<DatabaseUnavailableHandler> logger) : IExceptionHandler
{
    private const int RetryAfterSeconds = 5;

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (!IsOutage(exception) || httpContext.Response.HasStarted)
        {
            return false;
        }
        logger.LogWarning("Database unavailable: {Reason}", exception.GetBaseException().Message);
        httpContext.Response.Headers.RetryAfter = RetryAfterSeconds.ToString();
        await ProblemResponses.WriteAsync(httpContext, StatusCodes.Status503ServiceUnavailable, "Service temporarily unavailable",
            "The service cannot reach its database right now. Retry later.");
        return true;
    }

    private static bool IsOutage(Exception exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                // Server-side errors are bugs or constraint violations, except for the connection and shutdown classes.
                case PostgresException postgres:
                    return postgres.SqlState.StartsWith("08", StringComparison.Ordinal)
                        || postgres.SqlState.StartsWith("57P", StringComparison.Ordinal)
                        || postgres.SqlState == PostgresErrorCodes.TooManyConnections;
                case NpgsqlException or TimeoutException:
                    return true;
            }
        }
        return false;
    }
}
