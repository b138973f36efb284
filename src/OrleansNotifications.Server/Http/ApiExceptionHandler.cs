using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using OrleansNotifications.Runtime;

namespace OrleansNotifications.Server.Http;

/// <summary>
/// Turns exceptions into problem details: malformed input is the client's (4xx), an unreachable store or a lost write race
/// is transient (503 + Retry-After: nothing was acknowledged), anything else is ours (500, logged).
/// </summary>
internal sealed partial class ApiExceptionHandler(IProblemDetailsService problems, ILogger<ApiExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var (status, type, title, detail) = exception switch
        {
            BadHttpRequestException { StatusCode: 413 } => (413, "payload-too-large", "The body is too large.", $"Request bodies are limited to {JsonBody.MaxBytes} bytes."),
            BadHttpRequestException bad => (bad.StatusCode, "bad-request", "Bad request.", bad.Message),
            JsonException => (400, "validation", "The request is invalid.", "The body is not valid JSON."),
            StorageUnavailableException or InconsistentStateException =>
                (503, "storage-unavailable", "Storage is unavailable.", "The change was not stored; retry after the indicated delay."),
            _ => (500, "internal", "Internal server error.", "The server failed to handle the request."),
        };

        if (status >= 500)
        {
            LogFailure(logger, httpContext.Request.Method, httpContext.Request.Path, exception);
        }

        if (status == 503)
        {
            httpContext.Response.Headers.RetryAfter = "1";
        }

        httpContext.Response.StatusCode = status;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = { Status = status, Type = Problems.TypePrefix + type, Title = title, Detail = detail },
        });
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "{Method} {Path} failed")]
    private static partial void LogFailure(ILogger logger, string method, string path, Exception exception);
}
