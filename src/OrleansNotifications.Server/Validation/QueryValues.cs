using System.Globalization;
using OrleansNotifications.Grains.Model;
using OrleansNotifications.Server.Http;

namespace OrleansNotifications.Server.Validation;

/// <summary>Parsing of the small values shared by several routes; a bad value is recorded against its field.</summary>
public static class QueryValues
{
    /// <summary>A page size: 1–1000, default 100.</summary>
    public static int Top(string? value, ValidationErrors errors)
    {
        if (value is null)
        {
            return 100;
        }

        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var top) || top is < 1 or > 1000)
        {
            errors.Add("top", "Must be an integer from 1 to 1000.");
        }

        return top;
    }

    public static ReadState? ReadState(string? value, ValidationErrors errors) =>
        OneOf(value, WireNames.ReadStates, "readState", "Must be unread or read.", errors);

    public static UserActionState? UserActionState(string? value, ValidationErrors errors) =>
        OneOf(value, WireNames.UserActionStates, "userActionState", "Must be noInteraction, activated, dismissed or snoozed.", errors);

    private static T? OneOf<T>(string? value, IReadOnlyDictionary<string, T> names, string field, string rule, ValidationErrors errors)
        where T : struct
    {
        if (value is null)
        {
            return null;
        }

        if (names.TryGetValue(value, out var parsed))
        {
            return parsed;
        }

        errors.Add(field, rule);
        return null;
    }
}
