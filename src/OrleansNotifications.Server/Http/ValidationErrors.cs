namespace OrleansNotifications.Server.Http;

/// <summary>Field errors collected during validation, keyed by the field's JSON path (e.g. <c>payload.visualContent.title</c>).</summary>
public sealed class ValidationErrors
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public bool Any => _errors.Count > 0;

    public ValidationErrors Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var messages))
        {
            _errors[field] = messages = [];
        }

        messages.Add(message);
        return this;
    }

    /// <summary>Records every captured unknown property, except OData annotations (<c>@odata.*</c>), which Graph clients send.</summary>
    public void RejectUnknown(IDictionary<string, System.Text.Json.JsonElement>? extra, string prefix = "")
    {
        foreach (var name in extra?.Keys ?? [])
        {
            if (!name.StartsWith("@odata.", StringComparison.Ordinal))
            {
                Add(prefix + name, "Unknown property.");
            }
        }
    }

    public string Summary => string.Join(" ", _errors.Select(e => $"{e.Key}: {e.Value[0]}"));

    public Dictionary<string, string[]> ToDictionary() => _errors.ToDictionary(e => e.Key, e => e.Value.ToArray());
}
