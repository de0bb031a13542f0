using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace SmsGateway.Tests.EndToEnd.Access;

/// <summary>The embedded host with an admin key and JWT validation configured (no open mode). Extra settings through <see cref="Settings"/>.</summary>
public class SecuredGatewayFactory : WebApplicationFactory<Program>
{
    public const string AdminKey = "test-admin-key-0123456789abcdef";
    public const string JwtIssuer = "https://issuer.test";
    public const string JwtAudience = "sms-gateway";
    public const string JwtSigningKey = "a-test-signing-key-of-at-least-32-bytes!";

    /// <summary>Whether JWT validation is configured (API keys are always on).</summary>
    protected virtual bool WithJwt => true;

    /// <summary>Settings on top of the defaults above; set before the first client is created.</summary>
    public Dictionary<string, string> Settings { get; } = new(StringComparer.Ordinal);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Gateway:Profile", "embedded");
        builder.UseSetting("Pipeline:StatusBatchMaxAge", "00:00:00.010");
        builder.UseSetting("Auth:AdminKeys:0", AdminKey);
        if (WithJwt)
        {
            builder.UseSetting("Auth:Jwt:Issuer", JwtIssuer);
            builder.UseSetting("Auth:Jwt:Audience", JwtAudience);
            builder.UseSetting("Auth:Jwt:SigningKey", JwtSigningKey);
        }

        builder.UseSetting("Auth:Abuse:AnonymousPerIpPerSecond", "10000");
        foreach (var (key, value) in Settings)
        {
            builder.UseSetting(key, value);
        }
    }

    /// <summary>A client sending <c>Authorization: Bearer <paramref name="token"/></c> (none when null).</summary>
    public HttpClient Client(string? token)
    {
        var client = CreateClient();
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }

    /// <summary>A JWT signed with the configured key unless <paramref name="signingKey"/> is given.</summary>
    public static string Jwt(string userId, string? role = null, string audience = JwtAudience, DateTime? expires = null, string signingKey = JwtSigningKey)
    {
        var claims = new List<Claim> { new("sub", userId) };
        if (role is not null)
        {
            claims.Add(new Claim("role", role));
        }

        var now = DateTime.UtcNow;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = JwtIssuer,
            Audience = audience,
            Subject = new ClaimsIdentity(claims),
            NotBefore = now.AddMinutes(-10),
            IssuedAt = now.AddMinutes(-10),
            Expires = expires ?? now.AddMinutes(10),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(signingKey)), SecurityAlgorithms.HmacSha256),
        });
    }
}
