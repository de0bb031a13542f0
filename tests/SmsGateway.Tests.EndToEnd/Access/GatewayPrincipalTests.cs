using System.Security.Claims;
using SmsGateway.Host.Access;

namespace SmsGateway.Tests.EndToEnd.Access;

/// <summary>
/// The gateway's fixed principal answers every claim question as a plain <see cref="ClaimsPrincipal"/> with the same claims
/// would, and refuses to change (it is shared between requests).
/// </summary>
public sealed class GatewayPrincipalTests
{
    private static ClaimsPrincipal Plain(string userId, string role, string? keyId)
    {
        var claims = new List<Claim> { new(AccessClaims.UserId, userId), new(AccessClaims.Role, role) };
        if (keyId is not null)
        {
            claims.Add(new Claim(AccessClaims.KeyId, keyId));
        }

        return new ClaimsPrincipal(new ClaimsIdentity(claims, "ApiKey", AccessClaims.UserId, AccessClaims.Role));
    }

    public static TheoryData<string, string, string?> Callers => new()
    {
        { "u1", AccessClaims.ClientRole, "k0123456789abcdef" },
        { "admin", AccessClaims.AdminRole, null },
        { "Client", AccessClaims.ClientRole, null },
    };

    [Theory]
    [MemberData(nameof(Callers))]
    public void Answers_every_claim_question_as_a_plain_principal_does(string userId, string role, string? keyId)
    {
        var fixedOne = new GatewayPrincipal(userId, role, keyId, "ApiKey");
        var plain = Plain(userId, role, keyId);
        string[] types = [AccessClaims.UserId, AccessClaims.Role, AccessClaims.KeyId, "SGW:ROLE", "sgw:User_Id", "name", ""];
        string[] values = [userId, role, keyId ?? "k", "ADMIN", "Client", "client", "admin", "u1", ""];

        foreach (var type in types)
        {
            Assert.Equal(plain.FindFirst(type)?.Value, fixedOne.FindFirst(type)?.Value);
            foreach (var value in values)
            {
                Assert.Equal(plain.HasClaim(type, value), fixedOne.HasClaim(type, value));
            }
        }

        foreach (var value in values)
        {
            Assert.Equal(plain.IsInRole(value), fixedOne.IsInRole(value));
        }

        Assert.Equal(plain.Claims.Select(c => (c.Type, c.Value)), fixedOne.Claims.Select(c => (c.Type, c.Value)));
        Assert.Equal(plain.Identity?.Name, fixedOne.Identity?.Name);
        Assert.True(fixedOne.Identity?.IsAuthenticated);
        Assert.Equal("ApiKey", fixedOne.Identity?.AuthenticationType);
    }

    [Fact]
    public void Refuses_to_change()
    {
        var principal = new GatewayPrincipal("u1", AccessClaims.ClientRole, null, "ApiKey");
        var identity = Assert.IsAssignableFrom<ClaimsIdentity>(principal.Identity);

        Assert.Throws<NotSupportedException>(() => principal.AddIdentity(new ClaimsIdentity()));
        Assert.Throws<NotSupportedException>(() => principal.AddIdentities([new ClaimsIdentity()]));
        Assert.Throws<NotSupportedException>(() => identity.AddClaim(new Claim(AccessClaims.Role, AccessClaims.AdminRole)));
        Assert.Throws<NotSupportedException>(() => identity.AddClaims([new Claim(AccessClaims.Role, AccessClaims.AdminRole)]));
        Assert.Throws<NotSupportedException>(() => identity.RemoveClaim(identity.FindFirst(AccessClaims.Role)));
        Assert.Throws<NotSupportedException>(() => identity.TryRemoveClaim(identity.FindFirst(AccessClaims.Role)));
        Assert.False(principal.IsInRole(AccessClaims.AdminRole));
        Assert.Equal(2, principal.Claims.Count());
    }

    [Fact]
    public void Null_questions_throw_as_the_base_class_does()
    {
        var principal = new GatewayPrincipal("u1", AccessClaims.ClientRole, null, "ApiKey");
        Assert.Throws<ArgumentNullException>(() => principal.FindFirst((string)null!));
        Assert.Throws<ArgumentNullException>(() => principal.HasClaim(AccessClaims.Role, null!));
        Assert.Throws<ArgumentNullException>(() => principal.HasClaim((string)null!, "client"));
    }
}
