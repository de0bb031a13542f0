namespace SmsGateway.Host.Access;

/// <summary>
/// Authorization policy names (README "Security"). Attach with <c>.RequireAuthorization(AccessPolicies.Client)</c>; an
/// endpoint that takes a <c>{userId}</c> route value also gets <c>.AddEndpointFilter&lt;OwnerFilter&gt;()</c>.
/// </summary>
public static class AccessPolicies
{
    /// <summary>Role <c>admin</c> only: charge, key and limit management.</summary>
    public const string Admin = "admin";

    /// <summary>Role <c>client</c> or <c>admin</c>; a client acts only for its own user (see <see cref="OwnerAuthorizationHandler"/>).</summary>
    public const string Client = "client";
}
