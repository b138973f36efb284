using Google.Apis.Auth.OAuth2;

namespace OrleansNotifications.Push.Fcm;

/// <summary>A parsed service account: its project and the credential that exchanges and caches its access token.</summary>
internal sealed record FcmAccount(string ProjectId, ITokenAccess Credential)
{
    private const string Scope = "https://www.googleapis.com/auth/firebase.messaging";

    /// <exception cref="InvalidOperationException">The JSON is not a usable service account.</exception>
    public static FcmAccount Parse(string serviceAccountJson)
    {
        ServiceAccountCredential account;
        try
        {
            account = CredentialFactory.FromJson<ServiceAccountCredential>(serviceAccountJson);
        }
        catch (Exception e) when (e is not InvalidOperationException)
        {
            // Google's parser throws Newtonsoft, format and crypto exceptions: one type for the caller to catch.
            throw new InvalidOperationException(e.Message, e);
        }

        if (string.IsNullOrEmpty(account.ProjectId))
        {
            throw new InvalidOperationException("project_id is missing");
        }

        // With a scope the credential does the RFC 7523 exchange at token_uri (not a self-signed JWT), as FCM expects.
        return new FcmAccount(account.ProjectId, GoogleCredential.FromServiceAccountCredential(account).CreateScoped(Scope));
    }
}
