using Microsoft.AspNetCore.Authorization;

namespace SmsGateway.Host.Access;

/// <summary>The caller may act for the account given as the resource (a user id string).</summary>
public sealed class OwnerRequirement : IAuthorizationRequirement
{
    /// <summary>The one instance.</summary>
    public static readonly OwnerRequirement Instance = new();
}
