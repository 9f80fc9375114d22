using System.Collections.Concurrent;

namespace TrainingPlatform.Tests.Ops.Slo;

/// <summary>A steady stream of requests to the API (about 50 a second), counting the statuses it got back.</summary>
internal sealed class ApiTraffic : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    private ApiTraffic(HttpClient client, string[] paths) => _loop = Task.Run(() => RunAsync(client, paths));

    public ConcurrentDictionary<HttpStatusCode, int> Statuses { get; } = new();

    public static ApiTraffic Start(HttpClient client, params string[] paths) => new(client, paths);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }

    private async Task RunAsync(HttpClient client, string[] paths)
    {
        for (var i = 0; !_stop.IsCancellationRequested; i++)
        {
            try
            {
                using var response = await client.GetAsync(paths[i % paths.Length], _stop.Token);
                Statuses.AddOrUpdate(response.StatusCode, 1, (_, n) => n + 1);
                await Task.Delay(20, _stop.Token);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
        }
    }
}
