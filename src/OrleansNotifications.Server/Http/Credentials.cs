namespace OrleansNotifications.Server.Http;

/// <summary>Responses that carry a credential: tokens, and an app's client secret shown once.</summary>
public static class Credentials
{
    /// <summary>Such a response must not be stored by any cache (RFC 6749 §5.1).</summary>
    public static void NotCached(HttpResponse response)
    {
        response.Headers.CacheControl = "no-store";
        response.Headers.Pragma = "no-cache";
    }
}
