using System.Text.RegularExpressions;

namespace OrleansNotifications.Server.Validation;

/// <summary>The contract's identifier rules.</summary>
public static partial class Identifiers
{
    public const string UserIdRule = "1–128 characters of A–Z, a–z, 0–9 and . _ @ : + -";
    public const string AppIdRule = "1–64 characters of a–z, 0–9 and -, starting with a letter or digit";

    [GeneratedRegex("^[A-Za-z0-9._@:+-]{1,128}$")]
    private static partial Regex UserIdPattern();

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,63}$")]
    private static partial Regex AppIdPattern();

    public static bool IsUserId(string? value) => value is not null && UserIdPattern().IsMatch(value);

    public static bool IsAppId(string? value) => value is not null && AppIdPattern().IsMatch(value);
}
