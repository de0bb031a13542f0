using Microsoft.AspNetCore.Authorization;

namespace SmsGateway.Host.Access;

/// <summary>
/// The ownership rule, in this one place: an admin acts for every account; a client only for the account of its own
/// key or token (its <see cref="AccessClaims.UserId"/>). Resource: the user id acted on.
/// </summary>
public sealed class OwnerAuthorizationHandler : AuthorizationHandler<OwnerRequirement, string>
{
    /// <inheritdoc />
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, OwnerRequirement requirement, string resource)
    {
        if (context.User.HasClaim(AccessClaims.Role, AccessClaims.AdminRole) ||
            (context.User.HasClaim(AccessClaims.Role, AccessClaims.ClientRole) &&
             string.Equals(context.User.FindFirst(AccessClaims.UserId)?.Value, resource, StringComparison.Ordinal)))
        {
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }
}
