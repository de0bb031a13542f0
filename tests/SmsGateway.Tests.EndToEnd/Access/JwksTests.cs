using System.Net;
using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace SmsGateway.Tests.EndToEnd.Access;

/// <summary>JWTs signed with RS256 and verified against the public keys of a JWKS file (<c>Auth:Jwt:JwksFile</c>).</summary>
public sealed class JwksTests : IDisposable
{
    private readonly RSA _rsa = RSA.Create(2048);
    private readonly string _jwks = Path.Combine(Path.GetTempPath(), $"jwks-{Guid.NewGuid():N}.json");

    public JwksTests()
    {
        var p = _rsa.ExportParameters(false);
        File.WriteAllText(_jwks, $$"""{"keys":[{"kty":"RSA","kid":"test-1","use":"sig","alg":"RS256","n":"{{Base64UrlEncoder.Encode(p.Modulus)}}","e":"{{Base64UrlEncoder.Encode(p.Exponent)}}"}]}""");
    }

    public void Dispose()
    {
        _rsa.Dispose();
        File.Delete(_jwks);
    }

    private string Token(string userId, RSA key) => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
    {
        Issuer = SecuredGatewayFactory.JwtIssuer,
        Audience = SecuredGatewayFactory.JwtAudience,
        Subject = new ClaimsIdentity([new Claim("sub", userId)]),
        Expires = DateTime.UtcNow.AddMinutes(5),
        SigningCredentials = new SigningCredentials(new RsaSecurityKey(key) { KeyId = "test-1" }, SecurityAlgorithms.RsaSha256),
    });

    [Fact(Timeout = 60_000)]
    public async Task A_token_signed_by_a_jwks_key_is_accepted_and_another_key_is_not()
    {
        using var factory = new SecuredGatewayFactory();
        factory.Settings["Auth:Jwt:SigningKey"] = "";
        factory.Settings["Auth:Jwt:JwksFile"] = _jwks;
        using var stranger = RSA.Create(2048);

        Assert.Equal(HttpStatusCode.OK, (await factory.Client(Token("jw1", _rsa)).GetAsync("/balance/jw1")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await factory.Client(Token("jw1", _rsa)).GetAsync("/balance/jw2")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await factory.Client(Token("jw1", stranger)).GetAsync("/balance/jw1")).StatusCode);
    }
}
