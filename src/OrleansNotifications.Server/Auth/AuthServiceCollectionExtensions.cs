using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
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
    /// a valid token of the wrong kind is 403, a missing or bad one 401.
    /// </summary>
    public static IServiceCollection AddNotificationsAuth(this IServiceCollection services)
    {
        services.AddSingleton(sp => TokenSigningKey.LoadAsync(sp.GetRequiredService<IAppStore>()).GetAwaiter().GetResult());
        services.AddSingleton<TokenService>();
        services.AddSingleton(sp => AdminKey.Load(
            sp.GetRequiredService<IOptions<NotificationsOptions>>().Value, sp.GetRequiredService<ILogger<AdminKey>>()));
        services.AddSingleton<CachingTokenHandler>();
        services.AddSingleton<IConfigureOptions<JwtBearerOptions>, ConfigureJwtBearer>();

        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme)
            .AddJwtBearer()
            .AddScheme<AuthenticationSchemeOptions, AdminKeyAuthenticationHandler>(AdminKeyAuthenticationHandler.SchemeName, null);

        services.AddAuthorizationBuilder()
            .AddPolicy(AppPolicy, p => p.AddAuthenticationSchemes(JwtBearerDefaults.AuthenticationScheme)
                .RequireClaim(TokenClaims.Use, TokenClaims.AppUse))
            .AddPolicy(UserPolicy, p => p.AddAuthenticationSchemes(JwtBearerDefaults.AuthenticationScheme)
                .RequireClaim(TokenClaims.Use, TokenClaims.UserUse))
            .AddPolicy(AdminPolicy, p => p.AddAuthenticationSchemes(AdminKeyAuthenticationHandler.SchemeName)
                .RequireAuthenticatedUser());
        return services;
    }
}
