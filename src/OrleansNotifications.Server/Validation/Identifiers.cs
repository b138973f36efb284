using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace OrleansNotifications.Server.Validation;

/// <summary>The contract's identifier rules.</summary>
public static partial class Identifiers
{
    public const string UserIdRule = "1–128 characters of A–Z, a–z, 0–9 and . _ @ : + -";
    public const string AppIdRule = "1–64 characters of a–z, 0–9 and -, starting with a letter or digit";
    public const string AppNotificationIdRule = "1–128 characters, none of them control characters";
    public const string GroupNameRule = "1–64 characters, none of them control characters";

    [GeneratedRegex("^[A-Za-z0-9._@:+-]{1,128}$")]
    private static partial Regex UserIdPattern();

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,63}$")]
    private static partial Regex AppIdPattern();

    public static bool IsUserId(string? value) => value is not null && UserIdPattern().IsMatch(value);

    public static bool IsAppId(string? value) => value is not null && AppIdPattern().IsMatch(value);

    // Free text, but not control characters: SQLite's C API reads a bound string up to its first U+0000, so "a\0b" would
    // be stored as one value and looked up as another (a retry not recognised, a group delete reaching group "a").
    public static bool IsAppNotificationId([NotNullWhen(true)] string? value) => IsPlainText(value, 128);

    public static bool IsGroupName([NotNullWhen(true)] string? value) => IsPlainText(value, 64);

    private static bool IsPlainText([NotNullWhen(true)] string? value, int maxLength) =>
        value is { Length: > 0 } && value.Length <= maxLength && !value.AsSpan().ContainsAnyInRange('\u0000', '\u001f') && !value.Contains('\u007f');
}
