using Microsoft.AspNetCore.Authentication;
using OrleansNotifications.Server.Hubs;

namespace OrleansNotifications.Server.Auth;

/// <summary>
/// The default scheme: app and user tokens as <c>Authorization: Bearer &lt;jwt&gt;</c>. Browsers cannot set headers on
/// WebSocket or EventSource requests, so the SignalR client sends the token in the query string; only the hub accepts it
/// there. A missing or bad token is challenged with 401 and <c>WWW-Authenticate: Bearer</c>; the body is the status-code
/// pages' problem details.
/// </summary>
internal sealed class BearerTokenHandler(BearerTokens tokens) : IAuthenticationHandler
{
    public const string SchemeName = "Bearer";

    private const string Prefix = "Bearer ";

    private HttpContext _context = null!;
    private Task<AuthenticateResult>? _result;

    public Task InitializeAsync(AuthenticationScheme scheme, HttpContext context)
    {
        _context = context;
        return Task.CompletedTask;
    }

    public Task<AuthenticateResult> AuthenticateAsync() => _result ??= Authenticate();

    private Task<AuthenticateResult> Authenticate()
    {
        var request = _context.Request;
        string? header = request.Headers.Authorization;
        if (header is not null && header.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
        {
            return tokens.AuthenticateAsync(header.AsSpan(Prefix.Length).Trim());
        }

        if (request.Path.StartsWithSegments(NotificationHub.Path) && request.Query["access_token"].ToString() is { Length: > 0 } token)
        {
            return tokens.AuthenticateAsync(token);
        }

        return Task.FromResult(AuthenticateResult.NoResult());
    }

    public async Task ChallengeAsync(AuthenticationProperties? properties)
    {
        var refused = (await AuthenticateAsync()).Failure is not null;
        _context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        _context.Response.Headers.WWWAuthenticate = refused ? "Bearer error=\"invalid_token\"" : "Bearer";
    }

    public Task ForbidAsync(AuthenticationProperties? properties)
    {
        _context.Response.StatusCode = StatusCodes.Status403Forbidden;
        return Task.CompletedTask;
    }
}
