using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using OrleansNotifications.Grains.Model;
using OrleansNotifications.Server.Api.Contracts;
using OrleansNotifications.Server.Http;

namespace OrleansNotifications.Server.Validation;

/// <summary>Turns a publish body into a <see cref="NotificationDraft"/>, or says which fields break which rule.</summary>
public static class NotificationValidator
{
    public static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);
    private const int MaxContentBytes = 4096;

    public static NotificationDraft? Validate(NotificationCreateRequest request, DateTimeOffset now, ValidationErrors errors)
    {
        errors.RejectUnknown(request.Unknown);
        CheckLength(errors, "appNotificationId", request.AppNotificationId, 1, 128);
        CheckLength(errors, "targetHostName", request.TargetHostName, 0, 256);
        CheckLength(errors, "groupName", request.GroupName, 1, 64);

        var platforms = PlatformTypes(request.TargetPolicy, errors);

        var priority = Priority.Normal;
        if (request.Priority is not null && !WireNames.Priorities.TryGetValue(request.Priority, out priority))
        {
            errors.Add("priority", "Must be low, normal or high.");
        }

        if (request.DisplayTimeToLive is < 0 or > 2592000)
        {
            errors.Add("displayTimeToLive", "Must be between 0 and 2592000 seconds.");
        }

        var expiration = Expiration(request.ExpirationDateTime, now, errors);
        var payload = Payload(request.Payload, errors);
        if (errors.Any)
        {
            return null;
        }

        return new NotificationDraft(
            request.AppNotificationId,
            request.TargetHostName,
            request.GroupName,
            platforms is null ? null : new TargetPolicy(platforms),
            priority,
            request.DisplayTimeToLive,
            expiration,
            payload!,
            Fingerprint(request));
    }

    private static List<PlatformType>? PlatformTypes(TargetPolicyRequest? policy, ValidationErrors errors)
    {
        if (policy is null)
        {
            return null;
        }

        errors.RejectUnknown(policy.Unknown, "targetPolicy.");
        if (policy.PlatformTypes is null)
        {
            return null;
        }

        var platforms = new List<PlatformType>();
        for (var i = 0; i < policy.PlatformTypes.Count; i++)
        {
            var name = policy.PlatformTypes[i];
            if (name is null || !WireNames.PlatformTypes.TryGetValue(name, out var platform))
            {
                errors.Add($"targetPolicy.platformTypes[{i}]", "Must be android, ios or webpush.");
            }
            else if (!platforms.Contains(platform))
            {
                platforms.Add(platform);
            }
        }

        return platforms;
    }

    /// <summary>The requested expiration (null: the default, applied by the grain at creation), checked against the 30-day limit.</summary>
    private static DateTimeOffset? Expiration(string? value, DateTimeOffset now, ValidationErrors errors)
    {
        if (value is null)
        {
            return null;
        }

        // An instant needs an offset: "2026-01-01T00:00:00" alone would mean different things on different servers.
        if (!IsoInstant.TryParse(value, out var expiration))
        {
            errors.Add("expirationDateTime", "Must be an ISO-8601 instant with an offset, e.g. 2026-01-01T00:00:00Z.");
            return null;
        }

        if (expiration <= now)
        {
            errors.Add("expirationDateTime", "Must be in the future.");
        }
        else if (expiration > now + NotificationDraft.MaxLifetime + ClockSkew)
        {
            errors.Add("expirationDateTime", "Must be at most 30 days after creation.");
        }

        // Stored with millisecond precision; the grain caps it at 30 days after creation even inside the allowed skew.
        return DateTimeOffset.FromUnixTimeMilliseconds(expiration.ToUnixTimeMilliseconds());
    }

    private static Payload? Payload(PayloadRequest? payload, ValidationErrors errors)
    {
        if (payload is null)
        {
            errors.Add("payload", "Required: rawContent, visualContent or both.");
            return null;
        }

        errors.RejectUnknown(payload.Unknown, "payload.");
        if (payload.RawContent is null && payload.VisualContent is null)
        {
            errors.Add("payload", "At least one of rawContent and visualContent is required.");
        }

        if (payload.RawContent is not null && Encoding.UTF8.GetByteCount(payload.RawContent) > MaxContentBytes)
        {
            errors.Add("payload.rawContent", $"Must be at most {MaxContentBytes} UTF-8 bytes.");
        }

        VisualContent? visual = null;
        if (payload.VisualContent is { } v)
        {
            errors.RejectUnknown(v.Unknown, "payload.visualContent.");
            if (string.IsNullOrEmpty(v.Title) || v.Title.Length > 256)
            {
                errors.Add("payload.visualContent.title", "Required, 1–256 characters.");
            }

            if (v.Body is not null && Encoding.UTF8.GetByteCount(v.Body) > MaxContentBytes)
            {
                errors.Add("payload.visualContent.body", $"Must be at most {MaxContentBytes} UTF-8 bytes.");
            }

            visual = new VisualContent(v.Title ?? "", v.Body);
        }

        return new Payload(payload.RawContent, visual);
    }

    private static void CheckLength(ValidationErrors errors, string field, string? value, int min, int max)
    {
        if (value is not null && (value.Length < min || value.Length > max))
        {
            errors.Add(field, min == 0 ? $"Must be at most {max} characters." : $"Must be {min}–{max} characters.");
        }
    }

    /// <summary>
    /// SHA-256 of the body re-serialised canonically: the same request sent twice hashes the same, whatever its whitespace or
    /// <c>@odata.*</c> annotations (at any level). Called last: it drops the annotations from the already validated request.
    /// </summary>
    private static byte[] Fingerprint(NotificationCreateRequest request)
    {
        request.Unknown = null;
        if (request.TargetPolicy is { } policy)
        {
            policy.Unknown = null;
        }

        if (request.Payload is { } payload)
        {
            payload.Unknown = null;
            if (payload.VisualContent is { } visual)
            {
                visual.Unknown = null;
            }
        }

        return SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(request, ServerJsonContext.Default.NotificationCreateRequest));
    }
}
