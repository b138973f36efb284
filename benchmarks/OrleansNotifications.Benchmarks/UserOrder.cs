namespace OrleansNotifications.Benchmarks;

/// <summary>
/// Which user the n-th publish goes to. Random by default: a real app server notifies users in no particular order, so each
/// publish lands on its own part of every per-user index. Round-robin (user-0, user-1, …) is kept only to compare with
/// figures measured before the fifth session: consecutive users are neighbours in the indexes (except while n mod users is
/// below 1,000, where "user-5" sorts next to "user-5000"), so a group commit dirtied far fewer pages than real traffic does.
/// </summary>
public static class UserOrder
{
    public static bool RoundRobin { get; set; }

    /// <summary>A user index in [0, users): uniform and repeatable (a SplitMix64 hash of n), or n mod users.</summary>
    public static int Of(long n, int users)
    {
        if (RoundRobin)
        {
            return (int)(n % users);
        }

        var z = (ulong)n + 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return (int)((z ^ (z >> 31)) % (ulong)users);
    }
}
