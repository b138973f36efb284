using System.Text;

namespace OrleansNotifications.Runtime.Membership;

/// <summary>
/// Rendezvous (highest-random-weight) hashing of a grain's placement key over the active members: every node computes the
/// same owner from the same view, and when a node joins or leaves only the grains it gains or held move.
/// </summary>
public sealed class RendezvousPlacement : IGrainPlacement
{
    private readonly ClusterMembership membership;

    internal RendezvousPlacement(ClusterMembership membership, Activation.GrainCatalog catalog)
    {
        this.membership = membership;
        // Orleans does the same: an activation whose grain now belongs to another node is deactivated here, so there is only
        // ever one live activation per grain (a stale one could not write anyway: its compare-and-swap would fail).
        membership.ViewChanged += (_, _) => catalog.DeactivateWhere(id => !IsLocal(id));
    }

    public bool IsLocal(GrainId grain) => OwnerOf(grain) is not { } owner || owner.Name == membership.LocalName;

    /// <summary>The active member that owns the grain; null before this node has a view (then everything is local).</summary>
    public ClusterMember? OwnerOf(GrainId grain) => OwnerOf(grain.PlacementKey, membership.Active);

    public static ClusterMember? OwnerOf(string placementKey, IReadOnlyList<ClusterMember> members)
    {
        ClusterMember? best = null;
        ulong bestWeight = 0;
        foreach (var member in members)
        {
            var weight = Weight(member.Name, placementKey);
            if (best is null || weight > bestWeight || (weight == bestWeight && string.CompareOrdinal(member.Name, best.Name) < 0))
            {
                (best, bestWeight) = (member, weight);
            }
        }

        return best;
    }

    /// <summary>
    /// FNV-1a over both strings, then the SplitMix64 finaliser for avalanche. Deterministic across processes and machines,
    /// unlike <see cref="string.GetHashCode()"/>.
    /// </summary>
    internal static ulong Weight(string node, string key)
    {
        // The UTF-8 of node + "\n" + key, hashed as it is encoded: this runs on every grain call.
        var hash = Fnv1a(Fnv1a(Fnv1a(14695981039346656037UL, node), "\n"), key);
        hash = (hash ^ (hash >> 30)) * 0xBF58476D1CE4E5B9UL;
        hash = (hash ^ (hash >> 27)) * 0x94D049BB133111EBUL;
        return hash ^ (hash >> 31);
    }

    private static ulong Fnv1a(ulong hash, string text)
    {
        Span<byte> utf8 = stackalloc byte[4];
        foreach (var rune in text.EnumerateRunes())
        {
            foreach (var b in utf8[..rune.EncodeToUtf8(utf8)])
            {
                hash = (hash ^ b) * 1099511628211UL;
            }
        }

        return hash;
    }
}
