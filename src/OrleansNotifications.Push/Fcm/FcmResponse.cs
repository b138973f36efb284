using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using OrleansNotifications.Grains.Push;

namespace OrleansNotifications.Push.Fcm;

/// <summary>Classifies a <c>messages:send</c> answer by its FCM error code (firebase.google.com/docs/cloud-messaging/error-codes).</summary>
internal static class FcmResponse
{
    public static async Task<PushOutcome> ClassifyAsync(HttpResponseMessage response, TimeProvider time, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return PushOutcome.Delivered;
        }

        var (status, errorCode, message, tokenField) = Parse(await response.Content.ReadAsStringAsync(cancellationToken));
        var code = (int)response.StatusCode;
        var error = $"fcm {code} {errorCode ?? status ?? response.ReasonPhrase}: {message}".TrimEnd(' ', ':');

        // Real FCM answers NOT_FOUND with the FcmError detail UNREGISTERED; some proxies put it in status directly.
        if (errorCode == "UNREGISTERED" || status == "UNREGISTERED")
        {
            return PushOutcome.Invalid(error);
        }

        // INVALID_ARGUMENT also covers bad payloads; only a bad registration token makes the subscription invalid.
        if (response.StatusCode == HttpStatusCode.BadRequest && (errorCode ?? status) == "INVALID_ARGUMENT"
            && (tokenField || message?.Contains("registration token", StringComparison.OrdinalIgnoreCase) == true))
        {
            return PushOutcome.Invalid(error);
        }

        return code == 429 || code >= 500 ? PushOutcome.Retry(error, RetryAfter.From(response, time)) : PushOutcome.Failed(error);
    }

    private static (string? Status, string? ErrorCode, string? Message, bool TokenField) Parse(string body)
    {
        try
        {
            if (JsonNode.Parse(body)?["error"] is not JsonObject error)
            {
                return default;
            }

            var details = error["details"] as JsonArray ?? [];
            var errorCode = details.Select(d => d?["errorCode"]?.GetValue<string>()).FirstOrDefault(c => c is not null);
            var tokenField = details
                .SelectMany(d => d?["fieldViolations"] as JsonArray ?? [])
                .Any(v => v?["field"]?.GetValue<string>() == "message.token");
            var message = error["message"]?.GetValue<string>();
            return (error["status"]?.GetValue<string>(), errorCode, message is { Length: > 300 } ? message[..300] : message, tokenField);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            // Not the documented error shape (an HTML page from a proxy): the status code alone decides.
            return default;
        }
    }
}
