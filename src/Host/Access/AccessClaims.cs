namespace SmsGateway.Host.Access;

/// <summary>The claims every authenticated caller carries, whatever the scheme (API key, JWT, open development mode).</summary>
public static class AccessClaims
{
    /// <summary>The account the caller acts for (an admin key's is <c>admin</c>, unrelated to any account).</summary>
    public const string UserId = "sgw:user_id";

    /// <summary>The caller's role: <see cref="AdminRole"/> or <see cref="ClientRole"/>.</summary>
    public const string Role = "sgw:role";

    /// <summary>Role value of administrators.</summary>
    public const string AdminRole = "admin";

    /// <summary>Role value of clients.</summary>
    public const string ClientRole = "client";

    /// <summary>The id of the API key used, when the caller used one.</summary>
    public const string KeyId = "sgw:key_id";
}
