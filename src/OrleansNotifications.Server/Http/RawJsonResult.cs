namespace OrleansNotifications.Server.Http;

/// <summary>Writes JSON that is already serialised (as stored, or by a source-generated context), with optional ETag and Location.</summary>
public sealed class RawJsonResult(byte[] utf8Json, int statusCode = StatusCodes.Status200OK) : IResult
{
    public string? ETag { get; init; }

    public string? Location { get; init; }

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = statusCode;
        response.ContentType = "application/json; charset=utf-8";
        response.ContentLength = utf8Json.Length;
        if (ETag is not null)
        {
            response.Headers.ETag = ETag;
        }

        if (Location is not null)
        {
            response.Headers.Location = Location;
        }

        await response.Body.WriteAsync(utf8Json);
    }
}
