using OrleansNotifications.Runtime;
using OrleansNotifications.Runtime.Membership;

namespace OrleansNotifications.Tests.Cluster;

public sealed class RendezvousPlacementTests
{
    private static ClusterMember Node(string name) =>
        new(name, $"http://{name}", DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, MemberStatus.Active);

    private static readonly string[] Keys = [.. Enumerable.Range(0, 20_000).Select(i => $"app/user-{i}")];

    private static Dictionary<string, string> Owners(params string[] nodes)
    {
        var members = nodes.Select(Node).ToList();
        return Keys.ToDictionary(k => k, k => RendezvousPlacement.OwnerOf(k, members)!.Name);
    }

    [Theory]
    [InlineData("n1", "app/user-1")]
    [InlineData("node-é", "app/ユーザー")]
    [InlineData("n2", "app/\U0001F600 and a lone \uD800 surrogate")]
    [InlineData("", "")]
    public void Weight_IsFnv1aOfTheUtf8OfNodeNewlineKey_SoNodesOfEveryVersionAgree(string node, string key)
    {
        var hash = 14695981039346656037UL;
        foreach (var b in System.Text.Encoding.UTF8.GetBytes(node + "\n" + key))
        {
            hash = (hash ^ b) * 1099511628211UL;
        }

        hash = (hash ^ (hash >> 30)) * 0xBF58476D1CE4E5B9UL;
        hash = (hash ^ (hash >> 27)) * 0x94D049BB133111EBUL;
        Assert.Equal(hash ^ (hash >> 31), RendezvousPlacement.Weight(node, key));
    }

    [Fact]
    public void EveryNode_ComputesTheSameOwner_WhateverTheOrderOfItsView()
    {
        var members = new[] { "n1", "n2", "n3" }.Select(Node).ToList();
        var reversed = Enumerable.Reverse(members).ToList();
        Assert.All(Keys, k => Assert.Equal(RendezvousPlacement.OwnerOf(k, members), RendezvousPlacement.OwnerOf(k, reversed)));
    }

    [Fact]
    public void Keys_SpreadEvenly()
    {
        var counts = Owners("n1", "n2", "n3").Values.GroupBy(n => n).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(3, counts.Count);
        Assert.All(counts.Values, c => Assert.InRange(c, Keys.Length / 3 * 0.9, Keys.Length / 3 * 1.1));
    }

    [Fact]
    public void AJoiningNode_TakesOnlyKeysFromOthers_AndALeavingOneGivesOnlyItsOwn()
    {
        var three = Owners("n1", "n2", "n3");
        var four = Owners("n1", "n2", "n3", "n4");
        var moved = Keys.Where(k => three[k] != four[k]).ToList();
        Assert.All(moved, k => Assert.Equal("n4", four[k]));
        Assert.InRange(moved.Count, Keys.Length * 0.2, Keys.Length * 0.3);

        var without2 = Owners("n1", "n3");
        Assert.All(Keys.Where(k => three[k] != without2[k]), k => Assert.Equal("n2", three[k]));
    }

    [Fact]
    public void AnEndpoint_IsPlacedWithItsUser()
    {
        Assert.Equal("app/alice", new GrainId("endpoint", "app/alice#sub-1").PlacementKey);
        Assert.Equal("app/alice", new GrainId("user", "app/alice").PlacementKey);
    }
}
