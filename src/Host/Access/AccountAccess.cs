using System.Security.Claims;

namespace SmsGateway.Host.Access;

/// <summary>
/// What handlers ask about the caller. Ownership is decided by <see cref="OwnerAuthorizationHandler.MayActFor"/>; this
/// applies it to resources that are not in the route (the <c>user_id</c> of a <c>/send</c> body, the owner of a message).
/// </summary>
public static class AccountAccess
{
    /// <summary>The caller's own account (null for an admin, who has none).</summary>
    public static string? OwnAccount(ClaimsPrincipal user) =>
        user.HasClaim(AccessClaims.Role, AccessClaims.ClientRole) ? user.FindFirst(AccessClaims.UserId)?.Value : null;

    /// <summary>True for admin callers.</summary>
    public static bool IsAdmin(ClaimsPrincipal user) => user.HasClaim(AccessClaims.Role, AccessClaims.AdminRole);

    /// <summary>
    /// Null when the caller may act for <paramref name="userId"/>; otherwise the 403 answer. Runs the ownership rule
    /// directly rather than through <c>IAuthorizationService</c>: the rule is one claim comparison, and the generic round
    /// (handler list, context and result objects, authorization metrics) cost a visible share of every <c>/send</c>
    /// (bench/README.md "Cost model", HTTP path). Synchronous; allocates only for the 403.
    /// </summary>
    public static IResult? ForbidUnlessOwner(HttpContext context, string userId) =>
        OwnerAuthorizationHandler.MayActFor(context.User, userId)
            ? null
            : TypedResults.Problem("this credential acts only for its own user id", statusCode: StatusCodes.Status403Forbidden,
                title: "Forbidden", type: "/problems/forbidden");
}
