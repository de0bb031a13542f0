using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;

namespace SmsGateway.Host.Access;

/// <summary>
/// What handlers ask about the caller. Ownership is decided by <see cref="OwnerAuthorizationHandler"/>; this only runs it
/// for resources that are not in the route (the <c>user_id</c> of a <c>/send</c> body, the owner of a message).
/// </summary>
public static class AccountAccess
{
    /// <summary>The caller's own account (null for an admin, who has none).</summary>
    public static string? OwnAccount(ClaimsPrincipal user) =>
        user.HasClaim(AccessClaims.Role, AccessClaims.ClientRole) ? user.FindFirst(AccessClaims.UserId)?.Value : null;

    /// <summary>True for admin callers.</summary>
    public static bool IsAdmin(ClaimsPrincipal user) => user.HasClaim(AccessClaims.Role, AccessClaims.AdminRole);

    /// <summary>Null when the caller may act for <paramref name="userId"/>; otherwise the 403 answer.</summary>
    public static async ValueTask<IResult?> ForbidUnlessOwnerAsync(HttpContext context, string userId)
    {
        var authorization = context.RequestServices.GetRequiredService<IAuthorizationService>();
        var result = await authorization.AuthorizeAsync(context.User, userId, OwnerRequirement.Instance);
        return result.Succeeded
            ? null
            : TypedResults.Problem("this credential acts only for its own user id", statusCode: StatusCodes.Status403Forbidden,
                title: "Forbidden", type: "/problems/forbidden");
    }
}
