using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using OrleansNotifications.Grains;
using OrleansNotifications.Grains.Live;
using OrleansNotifications.Grains.Model;
using OrleansNotifications.Runtime;
using OrleansNotifications.Server.Auth;
using OrleansNotifications.Server.Http;

namespace OrleansNotifications.Server.Hubs;

/// <summary>
/// <c>/hubs/notifications</c>: a device of one user (user token). Each connection is registered with the user's grain, which
/// relays every later change to it (<c>change</c>); the methods are thin calls into that grain.
/// </summary>
[Authorize(Policy = AuthServiceCollectionExtensions.UserPolicy)]
public sealed class NotificationHub(IGrainFactory grains, HubChangeRelay relay) : Hub
{
    public const string Path = "/hubs/notifications";

    /// <summary>Changes per <c>Sync</c> call, as <c>GET /changes</c> by default; <c>hasMore</c> says when to call again from <c>nextSince</c>.</summary>
    public const int SyncPageSize = 100;

    private IUserGrain User => grains.GetGrain<IUserGrain>(Context.User!.TokenUser().GrainKey);

    private LiveConnection Connection => new(Context.ConnectionId, relay.LocalNode);

    public override async Task OnConnectedAsync()
    {
        relay.Open(Context, Context.User!.TokenUser());
        try
        {
            relay.Registered(Context.ConnectionId, await User.ConnectAsync(Connection));
        }
        catch
        {
            relay.Close(Context.ConnectionId); // SignalR does not call OnDisconnectedAsync when OnConnectedAsync fails
            throw;
        }
    }

    public override async Task OnDisconnectedAsync(Exception? exception)
    {
        relay.Close(Context.ConnectionId);
        await User.DisconnectAsync(Context.ConnectionId);
    }

    /// <summary>The changes after <paramref name="since"/>, the same page <c>GET /changes?since=</c> returns.</summary>
    public async Task<HubJson> Sync(long since)
    {
        if (since < 0)
        {
            throw HubErrors.InvalidArgument("since must be a sequence number (0 or more).");
        }

        var page = await User.SyncAsync(Connection, since, SyncPageSize);
        if (page.CursorExpired)
        {
            throw new HubException(
                $"cursor_expired: changes after {since} are no longer kept; re-read the notifications (the user is at sequence {page.CurrentSequence}).");
        }

        return new HubJson(FeedJson.ChangePage(page, since));
    }

    public Task<HubJson> MarkRead(string id) => Update(id, new NotificationPatch(ReadState.Read, null));

    public Task<HubJson> MarkUnread(string id) => Update(id, new NotificationPatch(ReadState.Unread, null));

    public Task<HubJson> SetUserActionState(string id, string state) =>
        WireNames.UserActionStates.TryGetValue(state ?? "", out var parsed)
            ? Update(id, new NotificationPatch(null, parsed))
            : throw HubErrors.InvalidArgument("state must be noInteraction, activated, dismissed or snoozed.");

    public async Task Delete(string id)
    {
        if (!await User.DeleteAsync(id ?? ""))
        {
            throw HubErrors.NotFound(id ?? "");
        }
    }

    /// <summary>Marks every unread notification read, or only those of <paramref name="groupName"/>.</summary>
    public async Task MarkAllRead(string? groupName = null) => await User.MarkAllReadAsync(groupName);

    private async Task<HubJson> Update(string id, NotificationPatch patch)
    {
        var result = await User.UpdateAsync(id ?? "", patch, ifMatch: null);
        return result.Outcome == UpdateOutcome.NotFound ? throw HubErrors.NotFound(id ?? "") : new HubJson(result.Notification!.Json);
    }
}
