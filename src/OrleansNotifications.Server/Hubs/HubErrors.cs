using Microsoft.AspNetCore.SignalR;
using OrleansNotifications.Runtime;

namespace OrleansNotifications.Server.Hubs;

/// <summary>
/// Hub errors a client can act on. SignalR shows clients only <see cref="HubException"/> messages, so each starts with a
/// stable code (<c>not_found</c>, <c>invalid_argument</c>, <c>cursor_expired</c>, <c>unavailable</c>) and then says why.
/// </summary>
internal sealed class HubErrors : IHubFilter
{
    public static HubException NotFound(string id) => new($"not_found: the user has no unexpired notification '{id}'.");

    public static HubException InvalidArgument(string detail) => new($"invalid_argument: {detail}");

    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        try
        {
            return await next(invocationContext);
        }
        catch (Exception exception) when (exception is StorageUnavailableException or InconsistentStateException)
        {
            throw new HubException("unavailable: the notification store is unavailable; try again shortly.", exception);
        }
    }
}
