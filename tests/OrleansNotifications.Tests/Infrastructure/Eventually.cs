namespace OrleansNotifications.Tests.Infrastructure;

/// <summary>
/// Polls a condition until it holds or the deadline passes (then the test fails with <c>failure</c>): for what the server
/// does in the background, where a test may wait but never sleep a guessed time.
/// </summary>
public static class Eventually
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    public static Task HoldsAsync(Func<bool> condition, string failure = "the condition did not hold in time", TimeSpan? timeout = null) =>
        HoldsAsync(() => Task.FromResult(condition()), () => failure, timeout);

    public static Task HoldsAsync(Func<bool> condition, Func<string> failure, TimeSpan? timeout = null) =>
        HoldsAsync(() => Task.FromResult(condition()), failure, timeout);

    public static Task HoldsAsync(Func<Task<bool>> condition, string failure = "the condition did not hold in time", TimeSpan? timeout = null) =>
        HoldsAsync(condition, () => failure, timeout);

    public static async Task HoldsAsync(Func<Task<bool>> condition, Func<string> failure, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, failure());
            await Task.Delay(10);
        }
    }
}
