using System.Text.Encodings.Web;
using System.Text.Json;
using OrleansNotifications.Grains.Model;

namespace OrleansNotifications.Push;

/// <summary>
/// Push payloads have hard byte limits (FCM and APNs 4096 bytes, Web Push one 4096-byte record), and a notification the API
/// accepts (a 256-character title, a 4096-byte body, a 4096-byte rawContent) does not always fit. Each provider first leaves
/// <c>rawContent</c> out (the client can fetch it), then shortens the visible body with this.
/// </summary>
internal static class PayloadBudget
{
    /// <summary>
    /// Compact JSON for provider payloads: characters of the Basic Multilingual Plane are written as UTF-8, not as
    /// <c>\uXXXX</c> escapes that would triple their size against the limit (characters beyond it, most emoji, are still
    /// escaped by this encoder; the budget measures what is really sent). The payloads go to JSON parsers, never into HTML.
    /// </summary>
    public static readonly JsonSerializerOptions Json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private const string Ellipsis = "…";

    /// <summary>
    /// The visual content with the longest prefix of its body (cut between characters, marked with an ellipsis) for which
    /// <paramref name="fits"/> holds; with no body if none does. Only called for a payload that is over its limit.
    /// </summary>
    public static VisualContent ShortenBody(VisualContent visual, Func<VisualContent, bool> fits)
    {
        var body = visual.Body ?? "";
        var best = visual with { Body = null };
        int shortest = 0, longest = body.Length - 1; // prefix lengths, all shorter than the body
        while (shortest <= longest)
        {
            var length = (shortest + longest) / 2;
            var cut = length > 0 && char.IsHighSurrogate(body[length - 1]) ? length - 1 : length;
            var candidate = visual with { Body = body[..cut] + Ellipsis };
            if (fits(candidate))
            {
                best = candidate;
                shortest = length + 1;
            }
            else
            {
                longest = length - 1;
            }
        }

        return best;
    }
}
