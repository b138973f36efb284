using System.Security.Claims;
using OrleansNotifications.Grains;

namespace OrleansNotifications.Server.Auth;

/// <summary>Claim names in our JWTs, and reading them back.</summary>
public static class TokenClaims
{
    public const string App = "app";
    public const string Subject = "sub";

    /// <summary><c>app</c> for app-server tokens, <c>user</c> for device tokens: which routes a token may use.</summary>
    public const string Use = "token_use";

    public const string AppUse = "app";
    public const string UserUse = "user";

    public static string? AppId(this ClaimsPrincipal principal) => principal.FindFirst(App)?.Value;

    /// <summary>The user a device token speaks for.</summary>
    public static UserKey TokenUser(this ClaimsPrincipal principal) =>
        new(principal.FindFirst(App)!.Value, principal.FindFirst(Subject)!.Value);
}
