using System.Diagnostics;
using System.Runtime;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using TrainingPlatform.Api.Courses;
using TrainingPlatform.Api.Sessions;
using TrainingPlatform.ServiceDefaults;
using JsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

namespace TrainingPlatform.Api.Http;

/// <summary>
/// A new replica starts listening (and so reports ready) only after a warm-up of the signed-in read paths, in process: bearer
/// authentication of a self-issued token with its session check, the account, course, lessons and enrollments reads on
/// as many connections at once as the pool holds (each statement used often enough there for Npgsql to prepare it),
/// and their response bodies serialised. Then the same routes go through the app's own request pipeline (routing,
/// authentication, the endpoints, problem bodies) as <see cref="WarmUpRequest"/>s until the JIT has stopped compiling
/// (its tier-1 recompilation of the hot methods runs in the background), for at most <see cref="SettleSecondsKey"/>. Its first
/// requests then meet optimised code, open connections and prepared statements (ops/docs/performance.md, learner
/// section). The reads ask for ids that do not exist and the token's made-up session is taken as live without a row:
/// nothing is written, no network request is made, no access line, metric or security event is recorded. It runs
/// before the server listens rather than behind a failing health check, so no 503 reaches the 5xx counters or the
/// logs. A failure (say, the database is down) ends the warm-up early; readiness then follows the database's own check.
/// </summary>
public sealed partial class WarmUp(IServiceProvider services, NpgsqlDataSource dataSource, IConfiguration configuration, ILogger<WarmUp> logger)
{
    public const string CallsKey = "WarmUp:Calls";

    // Calls of each path in all: the JIT recompiles a method after 30 calls, first instrumented (tiered PGO), then
    // optimised from its profile after 30 more, with room to spare.
    private const int DefaultCalls = 100;

    /// <summary>
    /// Runs the warm-up: the stores always; with <paramref name="app"/> the routes through the pipeline it builds too,
    /// until the JIT settles.
    /// </summary>
    public async Task RunAsync(CancellationToken stoppingToken, IApplicationBuilder? app = null)
    {
        var calls = configuration.GetValue(CallsKey, DefaultCalls);
        if (calls < 0)
        {
            throw new InvalidOperationException($"{CallsKey} is {calls}: give 0 (no warm-up) or more.");
        }
        var settleSeconds = configuration.GetValue(SettleSecondsKey, DefaultSettleSeconds);
        if (settleSeconds < 0)
        {
            throw new InvalidOperationException($"{SettleSecondsKey} is {settleSeconds}: give 0 (no settling) or more.");
        }
        if (calls == 0)
        {
            return;
        }
        var started = Stopwatch.GetTimestamp();
        try
        {
            var settings = new NpgsqlConnectionStringBuilder(dataSource.ConnectionString);
            var connections = settings.MaxPoolSize;
            // Each connection uses each statement once more than Npgsql needs to prepare it there.
            var rounds = Math.Max(settings.AutoPrepareMinUsages + 1, (calls + connections - 1) / connections);
            var now = DateTime.UtcNow;
            var session = Guid.NewGuid();
            var token = services.GetRequiredService<AccessTokens>().Issue(Account(now), session);
            var revocations = services.GetRequiredService<SessionRevocations>();
            // Renewed as it goes: the session stays "live" longer than the check's cache keeps an answer.
            void KeepLive() => revocations.AssumeLive(session);
            // A copy of the pipeline the server builds (middleware instances of its own): what it warms is their shared code.
            var pipeline = app?.Build();
            await Task.WhenAll(Enumerable.Range(0, connections)
                .Select(_ => Task.Run(() => WarmAsync(rounds, token, KeepLive, pipeline, stoppingToken), stoppingToken)));
            if (pipeline is not null)
            {
                await SettleAsync(connections, token, KeepLive, pipeline, TimeSpan.FromSeconds(settleSeconds), stoppingToken);
            }
            LogWarmedUp(logger, connections, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds, Interlocked.Read(ref _requests),
                JitInfo.GetCompiledMethodCount());
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogWarmUpEnded(logger, e);
        }
    }

    private async Task WarmAsync(int rounds, string token, Action keepLive, RequestDelegate? pipeline, CancellationToken cancellationToken)
    {
        var users = services.GetRequiredService<UserStore>();
        var courses = services.GetRequiredService<CourseStore>();
        var lessons = services.GetRequiredService<LessonStore>();
        var enrollments = services.GetRequiredService<EnrollmentStore>();
        var sessions = services.GetRequiredService<SessionStore>();
        var json = services.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        var now = DateTime.UtcNow;
        var account = Account(now);
        var lesson = new Lesson(0, 0, 1, "Warm-up", "", now, now);
        var enrollment = new Enrollment(0, 0, "Warm-up", now, 0, 0);
        for (var round = 0; round < rounds; round++)
        {
            keepLive();
            await AuthenticateAsync(token);
            // The check answers from its cache for the warm-up's session: the lookup behind it, every round.
            await sessions.IsRevokedAsync(Guid.Empty, cancellationToken);
            await users.FindProfileAsync(0, cancellationToken);
            await courses.FindAsync(0, cancellationToken);
            await lessons.ListVisibleAsync(0, null, cancellationToken);
            await enrollments.ListAsync(0, new Paging(Paging.DefaultLimit, 0), cancellationToken);
            // Past the start an empty page is counted: the count statement too.
            await enrollments.ListAsync(0, new Paging(Paging.DefaultLimit, 1), cancellationToken);
            _ = JsonSerializer.SerializeToUtf8Bytes(UserResponse.From(account), json);
            _ = JsonSerializer.SerializeToUtf8Bytes(new Course(0, "Warm-up", "", true, 0, now, now), json);
            _ = JsonSerializer.SerializeToUtf8Bytes<IReadOnlyList<Lesson>>([lesson, lesson], json);
            _ = JsonSerializer.SerializeToUtf8Bytes(new Page<Enrollment>([enrollment, enrollment], 2, Paging.DefaultLimit, 0), json);
            if (pipeline is not null)
            {
                await RequestRoutesAsync(pipeline, token);
            }
        }
    }

    /// <summary>The made-up learner the warm-up signs in as and whose account body it serialises (id 0: no row has it).</summary>
    private static UserAccount Account(DateTime now) => new(0, "warm-up@invalid", "Warm-up", Roles.Learner, "", now, now);

    // As the bearer handler runs for a request: the signature and lifetime, then the session check.
    private async Task AuthenticateAsync(string token)
    {
        await using var scope = services.CreateAsyncScope();
        var context = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
        context.Request.Headers.Authorization = "Bearer " + token;
        await context.AuthenticateAsync(JwtBearerDefaults.AuthenticationScheme);
    }

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Warmed up on {Connections} connections in {Milliseconds} ms, {Requests} requests through the pipeline, {Methods} methods compiled")]
    private static partial void LogWarmedUp(ILogger logger, int connections, long milliseconds, long requests, long methods);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The warm-up ended early; readiness follows the database check")]
    private static partial void LogWarmUpEnded(ILogger logger, Exception exception);
}
