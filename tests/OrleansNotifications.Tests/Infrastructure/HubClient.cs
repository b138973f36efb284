using Microsoft.AspNetCore.TestHost;
using OrleansNotifications.Client;

namespace OrleansNotifications.Tests.Infrastructure;

/// <summary>Hub connections for tests, through the project's own client (<see cref="HubConnection"/>), the one the load generator uses.</summary>
public static class HubClient
{
    /// <summary>Over the in-memory test server's WebSocket.</summary>
    public static async Task<HubConnection> ConnectAsync(TestServer server, string accessToken) =>
        await HubConnection.StartAsync(await server.CreateWebSocketClient().ConnectAsync(HubConnection.HubUri(server.BaseAddress, accessToken), CancellationToken.None));

    /// <summary>Over a real socket, to a node listening on <paramref name="baseUrl"/>.</summary>
    public static Task<HubConnection> ConnectAsync(Uri baseUrl, string accessToken) => HubConnection.ConnectAsync(baseUrl, accessToken);
}
