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

    /// <summary>
    /// Kestrel's own limit, a backstop above <see cref="MaxBytes"/>: Kestrel counts a chunked body's framing (chunk sizes and
    /// line ends) against it, so at exactly 64 KiB a chunked body of 65,524–65,536 bytes would be refused. The contract's
    /// limit on content is enforced here, by counting what is read.
    /// </summary>
    public const int TransportLimit = 4 * MaxBytes;

    public readonly record struct Result<T>(T? Value, IResult? Error);

    /// <summary>Reads the body; when <paramref name="optional"/> and the request has no body, returns <paramref name="empty"/>.</summary>
    public static async Task<Result<T>> ReadAsync<T>(HttpRequest request, JsonTypeInfo<T> type, bool optional = false, T? empty = default)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(MaxBytes + 1);
        try
        {
            // Read first, then judge: whether a body exists is known for sure only by reading it (HTTP/2 may send one
            // without Content-Length), and an empty body is "no body" whatever the headers say.
            var length = await ReadContentAsync(request, buffer);
            if (length < 0)
            {
                return new(default, TooLarge());
            }

            if (length == 0)
            {
                return optional ? new(empty, null) : new(default, Problems.Invalid("body", "A JSON body is required."));
            }

            if (!IsJson(request.ContentType))
            {
                return new(default, Problems.Problem(StatusCodes.Status415UnsupportedMediaType, "unsupported-media-type",
                    "Unsupported media type.", "Send the body as application/json (UTF-8)."));
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

    /// <summary>
    /// Reads the body into <paramref name="buffer"/> (at least <see cref="MaxBytes"/> + 1 long), counting its content whether
    /// it comes with Content-Length or chunked: its length, 0 for none, -1 when it is over <see cref="MaxBytes"/>.
    /// </summary>
    public static async Task<int> ReadContentAsync(HttpRequest request, byte[] buffer)
    {
        if (request.ContentLength > MaxBytes)
        {
            return -1; // refused unread
        }

        var length = 0;
        if (request.HttpContext.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody ?? true)
        {
            int read;
            while ((read = await request.Body.ReadAsync(buffer.AsMemory(length, MaxBytes + 1 - length))) > 0)
            {
                length += read;
                if (length > MaxBytes)
                {
                    return -1;
                }
            }
        }

        return length;
    }

    /// <summary>
    /// application/json or any +json type, in UTF-8 (RFC 8259 §8.1): a body declared in another charset would be misread.
    /// Read in place, as every publish asks it.
    /// </summary>
    public static bool IsJson(string? contentType)
    {
        if (contentType is null)
        {
            return false;
        }

        var rest = contentType.AsSpan();
        var end = rest.IndexOf(';');
        var type = (end < 0 ? rest : rest[..end]).Trim();
        if (!type.Equals("application/json", StringComparison.OrdinalIgnoreCase) && !type.EndsWith("+json", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        while (end >= 0)
        {
            rest = rest[(end + 1)..];
            end = rest.IndexOf(';');
            var parameter = end < 0 ? rest : rest[..end];
            var equals = parameter.IndexOf('=');
            if (equals > 0 && parameter[..equals].Trim().Equals("charset", StringComparison.OrdinalIgnoreCase))
            {
                var charset = parameter[(equals + 1)..].Trim().Trim('"');
                return charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase) || charset.Equals("utf8", StringComparison.OrdinalIgnoreCase);
            }
        }

        return true;
    }

    public static IResult TooLarge() => Problems.Problem(StatusCodes.Status413PayloadTooLarge, "payload-too-large",
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
