using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http.Features;

namespace OrleansNotifications.Server.Http;

/// <summary>
/// Reads a JSON request body with the contract's rules: JSON media type (415), at most 64 KiB (413), well-formed and of
/// the right types (400, naming the field). Enforced here rather than by Kestrel alone so every host behaves the same.
/// </summary>
public static class JsonBody
{
    public const int MaxBytes = 64 * 1024;

    public readonly record struct Result<T>(T? Value, IResult? Error);

    /// <summary>Reads the body; when <paramref name="optional"/> and the request has no body, returns <paramref name="empty"/>.</summary>
    public static async Task<Result<T>> ReadAsync<T>(HttpRequest request, JsonTypeInfo<T> type, bool optional = false, T? empty = default)
    {
        if (request.ContentLength > MaxBytes)
        {
            return new(default, TooLarge());
        }

        var buffer = ArrayPool<byte>.Shared.Rent(MaxBytes + 1);
        try
        {
            // Read first, then judge: whether a body exists is known for sure only by reading it (HTTP/2 may send one
            // without Content-Length), and an empty body is "no body" whatever the headers say.
            var length = 0;
            if (request.HttpContext.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody ?? true)
            {
                int read;
                while ((read = await request.Body.ReadAsync(buffer.AsMemory(length, MaxBytes + 1 - length))) > 0)
                {
                    length += read;
                    if (length > MaxBytes)
                    {
                        return new(default, TooLarge());
                    }
                }
            }

            if (length == 0)
            {
                return optional ? new(empty, null) : new(default, Problems.Invalid("body", "A JSON body is required."));
            }

            if (!IsJson(request.ContentType))
            {
                return new(default, Problems.Problem(StatusCodes.Status415UnsupportedMediaType, "unsupported-media-type",
                    "Unsupported media type.", "Send the body as application/json."));
            }

            var value = JsonSerializer.Deserialize(buffer.AsSpan(0, length), type);
            return value is null ? new(default, Problems.Invalid("body", "The body must be a JSON object.")) : new(value, null);
        }
        catch (JsonException exception)
        {
            return new(default, Problems.Invalid(FieldOf(exception.Path), Describe(exception)));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public static bool IsJson(string? contentType)
    {
        if (contentType is null)
        {
            return false;
        }

        var mediaType = contentType.Split(';', 2)[0].Trim();
        return mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase);
    }

    private static IResult TooLarge() => Problems.Problem(StatusCodes.Status413PayloadTooLarge, "payload-too-large",
        "The body is too large.", $"Request bodies are limited to {MaxBytes} bytes.");

    /// <summary><c>$.payload.visualContent.title</c> → <c>payload.visualContent.title</c>.</summary>
    private static string FieldOf(string? path) =>
        string.IsNullOrEmpty(path) || path == "$" ? "body" : path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');

    private static string Describe(JsonException exception) =>
        exception.Message.Contains("could not be converted", StringComparison.Ordinal)
            ? "The value has the wrong type."
            : exception.Message.Contains("Duplicate", StringComparison.OrdinalIgnoreCase)
                ? "The property appears more than once."
                : "The body is not valid JSON.";
}
