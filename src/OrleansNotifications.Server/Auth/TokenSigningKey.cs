using System.Buffers.Text;
using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;
using OrleansNotifications.Grains.Apps;

namespace OrleansNotifications.Server.Auth;

/// <summary>
/// The HMAC key that signs app and user tokens. It lives in the database, so every node of a cluster signs and verifies with
/// the same key; the first node to start creates it.
/// </summary>
public sealed class TokenSigningKey(SymmetricSecurityKey key)
{
    private const string SecretName = "token-signing-key";

    public SymmetricSecurityKey Key { get; } = key;

    public static async Task<TokenSigningKey> LoadAsync(IAppStore store)
    {
        var candidate = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        var stored = await store.GetOrAddServerSecretAsync(SecretName, candidate);
        return new TokenSigningKey(new SymmetricSecurityKey(Base64Url.DecodeFromChars(stored)) { KeyId = SecretName });
    }
}
