using System.Runtime.CompilerServices;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using SmsGateway.Access;

namespace SmsGateway.Host.Access;

/// <summary>
/// Scheme <c>ApiKey</c>: <c>Authorization: Bearer &lt;key&gt;</c> with a bootstrap admin key (<c>Auth:AdminKeys</c>) or an
/// issued key (<c>sgw_{keyId}_{secret}</c>, checked against its stored SHA-256 in constant time). Also answers every
/// challenge (401 + <c>WWW-Authenticate</c>, RFC 6750 section 3) and forbid (403) of the gateway, whatever the scheme.
/// </summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    IAccessStore store, AdminKeyHashes adminKeys, AuthFailureTracker failures, AuthOptions auth)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    private const string Realm = "sms-gateway";

    // The principal of every admin key, and of each client key record. A record is immutable and the store hands out a new
    // one when the key changes (revocation), so a principal built once per record instance is the one this handler would
    // build on every request; nothing mutates a principal after authentication. The secret is still checked per request.
    private static readonly ClaimsPrincipal AdminPrincipal = Principal("admin", AccessClaims.AdminRole, null);
    private static readonly ConditionalWeakTable<ApiKeyRecord, ClaimsPrincipal> ClientPrincipals = new();

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!BearerToken.TryRead(Request, out var token))
        {
            return token is null ? AuthenticateResult.NoResult() : Failed("the Authorization header is not 'Bearer <key>'");
        }

        Span<byte> presented = stackalloc byte[32];
        ApiKeySecret.Hash(token!, presented);
        if (adminKeys.Contains(presented))
        {
            return Success(AdminPrincipal);
        }

        if (!ApiKeySecret.TryParse(token!, out var keyId, out var secret))
        {
            return Failed("unknown key");
        }

        ApiKeyRecord? key;
        try
        {
            key = await store.FindKeyAsync(keyId, Context.RequestAborted);
        }
        catch (AccessStoreUnavailableException ex)
        {
            AccessLog.StoreUnavailable(Logger, ex, Context.TraceIdentifier);
            return AuthenticateResult.Fail("the key store is unavailable");
        }

        if (key is null || key.RevokedAt is not null || !SecretMatches(key, secret))
        {
            return Failed(key?.RevokedAt is not null ? "revoked key" : "unknown key");
        }

        return Success(ClientPrincipals.GetValue(key, static k => Principal(k.UserId, AccessClaims.ClientRole, k.KeyId)));
    }

    private static bool SecretMatches(ApiKeyRecord key, string secret)
    {
        Span<byte> presented = stackalloc byte[32];
        ApiKeySecret.Hash(secret, presented);
        return ApiKeySecret.Matches(key.SecretHash, presented);
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = Request.Headers.Authorization.Count > 0
            ? $"Bearer realm=\"{Realm}\", error=\"invalid_token\""
            : $"Bearer realm=\"{Realm}\"";
        return Task.CompletedTask;
    }

    /// <summary>A principal of the gateway's shape (see <see cref="AccessClaims"/>).</summary>
    public static ClaimsPrincipal Principal(string userId, string role, string? keyId, string scheme = SchemeName)
    {
        var claims = new List<Claim> { new(AccessClaims.UserId, userId), new(AccessClaims.Role, role) };
        if (keyId is not null)
        {
            claims.Add(new Claim(AccessClaims.KeyId, keyId));
        }

        return new ClaimsPrincipal(new ClaimsIdentity(claims, scheme, AccessClaims.UserId, AccessClaims.Role));
    }

    private AuthenticateResult Success(ClaimsPrincipal principal) => AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));

    private AuthenticateResult Failed(string reason)
    {
        var ip = Context.Connection.RemoteIpAddress;
        AccessLog.AuthFailed(Logger, ip, reason);
        if (failures.RecordFailure(ip))
        {
            AccessLog.Blocked(Logger, ip, auth.Abuse.BlockSeconds);
        }

        return AuthenticateResult.Fail(reason);
    }
}
