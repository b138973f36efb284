namespace OrleansNotifications.Runtime.Transport;

/// <summary>
/// The one HTTP client a node calls the others with: grain calls, live-change relays and the dashboard's activity reports
/// share one connection per peer (HTTP/2 to a node's internal endpoint). Each caller sets the time limit of its own calls.
/// </summary>
public sealed class NodeClient : IDisposable
{
    // A peer that vanished without a reset (power loss, a partition) must be noticed by pings on the shared connection,
    // not by each call's time limit.
    private readonly HttpClient _http = new(new SocketsHttpHandler
    {
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
        EnableMultipleHttp2Connections = true,
        ConnectTimeout = TimeSpan.FromSeconds(5),
        KeepAlivePingDelay = TimeSpan.FromSeconds(5),
        KeepAlivePingTimeout = TimeSpan.FromSeconds(5),
        KeepAlivePingPolicy = HttpKeepAlivePingPolicy.Always,
    })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    /// <summary>
    /// Sends <paramref name="request"/> and reads the whole response within <paramref name="timeout"/>; running out of time
    /// throws <see cref="TaskCanceledException"/>, as an <see cref="HttpClient"/> timeout does.
    /// </summary>
    public async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        return await _http.SendAsync(request, deadline.Token);
    }

    public void Dispose() => _http.Dispose();
}
