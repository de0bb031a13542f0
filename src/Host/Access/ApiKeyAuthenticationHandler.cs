using System.Runtime.CompilerServices;
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

    // The answer for every admin key, and for each client key record. A record is immutable and the store hands out a new one
    // when the key changes (revocation), so an answer built once per record instance is the one this handler would build on
    // every request; the secret is still checked per request. The answer is shared: its principal never changes
    // (GatewayPrincipal), and nothing in the gateway writes to its AuthenticationProperties, which ASP.NET Core's
    // AuthenticationService passes on in the ticket it makes per request (bench/README.md "Claims read from a fixed array").
    private static readonly Task<AuthenticateResult> AdminAnswer = Answer(new GatewayPrincipal("admin", AccessClaims.AdminRole, null, SchemeName));
    private static readonly ConditionalWeakTable<ApiKeyRecord, Task<AuthenticateResult>> ClientAnswers = new();

    // Synchronous while the key store answers from its cache (the usual case): no state machine, and the completed answer
    // of the key's record is handed back as it is.
    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        switch (BearerToken.Read(Request, out var token))
        {
            case BearerHeader.Absent:
                return Task.FromResult(AuthenticateResult.NoResult());
            case BearerHeader.Malformed:
                return Task.FromResult(Failed("the Authorization header is not 'Bearer <key>'"));
        }

        Span<byte> presented = stackalloc byte[32];
        ApiKeySecret.Hash(token, presented);
        if (adminKeys.Contains(presented))
        {
            return AdminAnswer;
        }

        if (!ApiKeySecret.TryParse(token, out var keyId, out var secret))
        {
            return Task.FromResult(Failed("unknown key"));
        }

        var lookup = store.FindKeyAsync(keyId, Context.RequestAborted);
        return lookup.IsCompletedSuccessfully ? Checked(lookup.Result, secret) : CheckedAsync(lookup, secret.ToString());
    }

    private async Task<AuthenticateResult> CheckedAsync(Task<ApiKeyRecord?> lookup, string secret)
    {
        ApiKeyRecord? key;
        try
        {
            key = await lookup;
        }
        catch (AccessStoreUnavailableException ex)
        {
            AccessLog.StoreUnavailable(Logger, ex, Context.TraceIdentifier);
            return AuthenticateResult.Fail("the key store is unavailable");
        }

        return await Checked(key, secret);
    }

    private Task<AuthenticateResult> Checked(ApiKeyRecord? key, ReadOnlySpan<char> secret)
    {
        if (key is null || key.RevokedAt is not null || !SecretMatches(key, secret))
        {
            return Task.FromResult(Failed(key?.RevokedAt is not null ? "revoked key" : "unknown key"));
        }

        return ClientAnswers.GetValue(key, static k => Answer(new GatewayPrincipal(k.UserId, AccessClaims.ClientRole, k.KeyId, SchemeName)));
    }

    private static bool SecretMatches(ApiKeyRecord key, ReadOnlySpan<char> secret)
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

    private static Task<AuthenticateResult> Answer(GatewayPrincipal principal) =>
        Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName)));

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
