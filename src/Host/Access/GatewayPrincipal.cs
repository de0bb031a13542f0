using System.Security.Claims;

namespace SmsGateway.Host.Access;

/// <summary>
/// The principal of every authenticated caller, whatever the scheme (API key, JWT, open development mode): one identity
/// with the claims of <see cref="AccessClaims"/> (user id, role, and the key id when an API key was used), fixed at
/// construction. Its claim questions (<see cref="FindFirst(string)"/>, <see cref="HasClaim(string, string)"/>,
/// <see cref="IsInRole"/>, <see cref="Claims"/>) answer from that fixed array, with the same comparisons as
/// <see cref="ClaimsIdentity"/> (claim type ordinal ignoring case, value ordinal); the base class answers them through an
/// iterator and an enumerator per call, and a <c>/send</c> asks about six times (bench/README.md "Claims read from a
/// fixed array").
/// </summary>
/// <remarks>
/// Immutable, so one instance serves every request of a key (see <see cref="ApiKeyAuthenticationHandler"/>): adding an
/// identity, or adding or removing a claim, throws <see cref="NotSupportedException"/>. Thread-safe.
/// </remarks>
public sealed class GatewayPrincipal : ClaimsPrincipal
{
    private readonly Claim[] _claims;

    /// <summary>A principal for <paramref name="userId"/> in <paramref name="role"/>.</summary>
    /// <param name="userId">The account acted for (<c>admin</c> for an admin key).</param>
    /// <param name="role"><see cref="AccessClaims.AdminRole"/> or <see cref="AccessClaims.ClientRole"/>.</param>
    /// <param name="keyId">The API key's id, or null when the caller used no key.</param>
    /// <param name="scheme">The authentication scheme, the identity's authentication type.</param>
    public GatewayPrincipal(string userId, string role, string? keyId, string scheme)
        : this(keyId is null
            ? [new Claim(AccessClaims.UserId, userId), new Claim(AccessClaims.Role, role)]
            : [new Claim(AccessClaims.UserId, userId), new Claim(AccessClaims.Role, role), new Claim(AccessClaims.KeyId, keyId)], scheme)
    {
    }

    private GatewayPrincipal(Claim[] claims, string scheme) : base(new FixedIdentity(claims, scheme)) => _claims = claims;

    /// <inheritdoc />
    public override IEnumerable<Claim> Claims => _claims;

    /// <inheritdoc />
    public override Claim? FindFirst(string type)
    {
        ArgumentNullException.ThrowIfNull(type);
        foreach (var claim in _claims)
        {
            if (string.Equals(claim.Type, type, StringComparison.OrdinalIgnoreCase))
            {
                return claim;
            }
        }

        return null;
    }

    /// <inheritdoc />
    public override bool HasClaim(string type, string value)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(value);
        foreach (var claim in _claims)
        {
            if (string.Equals(claim.Type, type, StringComparison.OrdinalIgnoreCase) && string.Equals(claim.Value, value, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>True when the role claim is <paramref name="role"/> (the identity's role claim type is <see cref="AccessClaims.Role"/>).</summary>
    public override bool IsInRole(string role) => HasClaim(AccessClaims.Role, role);

    /// <summary>Always throws: the principal is fixed.</summary>
    /// <exception cref="NotSupportedException">Always.</exception>
    public override void AddIdentity(ClaimsIdentity identity) => throw Fixed();

    /// <summary>Always throws: the principal is fixed.</summary>
    /// <exception cref="NotSupportedException">Always.</exception>
    public override void AddIdentities(IEnumerable<ClaimsIdentity> identities) => throw Fixed();

    private static NotSupportedException Fixed() => new("a gateway principal is shared between requests and never changes");

    // The one identity; its claims are set by the constructor (which does not call the overrides below) and never change.
    private sealed class FixedIdentity(Claim[] claims, string scheme) : ClaimsIdentity(claims, scheme, AccessClaims.UserId, AccessClaims.Role)
    {
        public override void AddClaim(Claim claim) => throw Fixed();

        public override void AddClaims(IEnumerable<Claim?> claims) => throw Fixed();

        public override bool TryRemoveClaim(Claim? claim) => throw Fixed();

        public override void RemoveClaim(Claim? claim) => throw Fixed();
    }
}
