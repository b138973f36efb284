using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using OrleansNotifications.Grains.Apps;

namespace OrleansNotifications.Server.Auth;

public static class AuthServiceCollectionExtensions
{
    public const string AppPolicy = "app";
    public const string UserPolicy = "user";
    public const string AdminPolicy = "admin";

    /// <summary>
    /// JWT bearer for app and user tokens (default scheme), the admin key for operators, and one policy per kind of caller:
    /// a valid token of the wrong kind is 403, a missing or bad one 401. The app and user policies read the user the
    /// authentication middleware already set from the default scheme, rather than authenticating a second time.
    /// </summary>
    public static IServiceCollection AddNotificationsAuth(this IServiceCollection services)
    {
        services.AddSingleton(sp => TokenSigningKey.LoadAsync(sp.GetRequiredService<IAppStore>()).GetAwaiter().GetResult());
        services.AddSingleton<TokenService>();
        services.AddSingleton(sp => AdminKey.Load(
            sp.GetRequiredService<IOptions<NotificationsOptions>>().Value, sp.GetRequiredService<ILogger<AdminKey>>()));
        services.AddSingleton<BearerTokens>();
        services.AddTransient<BearerTokenHandler>();

        services.AddAuthentication(options =>
            {
                options.AddScheme<BearerTokenHandler>(BearerTokenHandler.SchemeName, null);
                options.DefaultScheme = BearerTokenHandler.SchemeName;
            })
            .AddScheme<AuthenticationSchemeOptions, AdminKeyAuthenticationHandler>(AdminKeyAuthenticationHandler.SchemeName, null);

        services.AddAuthorizationBuilder()
            .AddPolicy(AppPolicy, p => p.RequireClaim(TokenClaims.Use, TokenClaims.AppUse))
            .AddPolicy(UserPolicy, p => p.RequireClaim(TokenClaims.Use, TokenClaims.UserUse))
            .AddPolicy(AdminPolicy, p => p.AddAuthenticationSchemes(AdminKeyAuthenticationHandler.SchemeName)
                .RequireAuthenticatedUser());
        return services;
    }
}
