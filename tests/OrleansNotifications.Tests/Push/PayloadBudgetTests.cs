using System.Text;
using OrleansNotifications.Grains.Model;
using OrleansNotifications.Push;

namespace OrleansNotifications.Tests.Push;

public sealed class PayloadBudgetTests
{
    [Fact]
    public void ShortenBody_KeepsTheLongestPrefixThatFits_MarkedWithAnEllipsis()
    {
        var visual = new VisualContent("Title", "abcdefghij");

        var shortened = PayloadBudget.ShortenBody(visual, v => v.Body!.Length <= 6);

        Assert.Equal("abcde…", shortened.Body);
        Assert.Equal("Title", shortened.Title);
    }

    [Fact]
    public void ShortenBody_NeverSplitsASurrogatePair()
    {
        var visual = new VisualContent("Title", "a😀😀😀");

        // At 5, a cut without the check would keep "a😀" and half of the next pair.
        var shortened = PayloadBudget.ShortenBody(visual, v => v.Body!.Length <= 5);

        Assert.Equal("a😀…", shortened.Body);
        Assert.All(shortened.Body!.EnumerateRunes(), rune => Assert.NotEqual(Rune.ReplacementChar, rune));
    }

    [Fact]
    public void ShortenBody_WhenNoPrefixFits_DropsTheBody()
    {
        var shortened = PayloadBudget.ShortenBody(new VisualContent("Title", "abc"), v => v.Body is null);

        Assert.Null(shortened.Body);
    }
}
