using OrleansNotifications.Runtime;
using OrleansNotifications.Runtime.Membership;
using OrleansNotifications.Server.Api.Contracts;

namespace OrleansNotifications.Server.Api;

/// <summary><c>GET /v1/admin/cluster</c>: the members as the database sees them, and what lives on this node.</summary>
public static class AdminClusterApi
{
    public static RouteGroupBuilder MapAdminCluster(this RouteGroupBuilder group)
    {
        group.MapGet("/cluster", Get);
        return group;
    }

    private static IResult Get(ClusterMembership membership, IActivationDirectory activations)
    {
        var local = activations.CountByType();
        var nodes = membership.Members.Select(m => new ClusterNodeResponse(
            m.Name, m.Address, m.Status == MemberStatus.Active ? "active" : "dead", m.StartedAt, m.LastHeartbeat,
            // Only this node's own activations are known here until nodes can ask each other.
            m.Name == membership.LocalName ? local.Values.Sum() : null,
            m.Name == membership.LocalName ? local : null));
        return TypedResults.Json(new ClusterResponse(membership.LocalName, [.. nodes]), ServerJsonContext.Default.ClusterResponse);
    }
}
