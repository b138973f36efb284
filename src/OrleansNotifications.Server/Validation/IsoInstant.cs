using System.Globalization;
using System.Text.RegularExpressions;

namespace OrleansNotifications.Server.Validation;

/// <summary>
/// Parses an ISO-8601 instant in its extended calendar form: <c>2026-01-01T00:00:00Z</c>, seconds and fraction optional,
/// offset required (<c>Z</c>, <c>±hh:mm</c>, <c>±hhmm</c> or <c>±hh</c>). .NET's own TryParse also takes culture forms such as
/// <c>12/10/2026 00:00 +01:00</c>, which the contract does not promise and a client could not rely on elsewhere.
/// </summary>
public static partial class IsoInstant
{
    public static bool TryParse(string value, out DateTimeOffset instant)
    {
        instant = default;
        var match = Shape().Match(value);
        if (!match.Success)
        {
            return false;
        }

        var g = match.Groups;
        // .NET keeps 7 fractional digits; further ones are below its resolution and are cut, not rounded.
        var fraction = (g["fraction"].Value + "0000000")[..7];
        var offset = g["zone"].Value is "Z" or "z" ? "+00:00" : $"{g["sign"].Value}{g["oh"].Value}:{(g["om"].Success ? g["om"].Value : "00")}";
        var seconds = g["s"].Success ? g["s"].Value : "00";
        var normal = $"{g["date"].Value}T{g["h"].Value}:{g["m"].Value}:{seconds}.{fraction}{offset}";
        return DateTimeOffset.TryParseExact(normal, "yyyy-MM-dd'T'HH:mm:ss.fffffffzzz", CultureInfo.InvariantCulture,
            DateTimeStyles.None, out instant);
    }

    [GeneratedRegex(@"^(?<date>[0-9]{4}-[0-9]{2}-[0-9]{2})[Tt](?<h>[0-9]{2}):(?<m>[0-9]{2})(?::(?<s>[0-9]{2})(?:\.(?<fraction>[0-9]{1,9}))?)?(?<zone>[Zz]|(?<sign>[+-])(?<oh>[0-9]{2})(?::?(?<om>[0-9]{2}))?)\z",
        RegexOptions.CultureInvariant)]
    private static partial Regex Shape();
}
