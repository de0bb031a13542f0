using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;

namespace SmsGateway.Host.Access;

/// <summary>
/// The ownership rule, in this one place (<see cref="MayActFor"/>): an admin acts for every account; a client only for the
/// account of its own key or token (its <see cref="AccessClaims.UserId"/>). Resource: the user id acted on.
/// </summary>
public sealed class OwnerAuthorizationHandler : AuthorizationHandler<OwnerRequirement, string>
{
    /// <summary>True when <paramref name="user"/> may act for the account <paramref name="userId"/> (ordinal comparison). Thread-safe, allocation-free.</summary>
    public static bool MayActFor(ClaimsPrincipal user, string userId) =>
        user.HasClaim(AccessClaims.Role, AccessClaims.AdminRole) ||
        (user.HasClaim(AccessClaims.Role, AccessClaims.ClientRole) &&
         string.Equals(user.FindFirst(AccessClaims.UserId)?.Value, userId, StringComparison.Ordinal));

    /// <inheritdoc />
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, OwnerRequirement requirement, string resource)
    {
        if (MayActFor(context.User, resource))
        {
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }
}
