using System.Net;
using System.Text;

namespace SmsGateway.Tests.EndToEnd.Access;

/// <summary>The embedded host with an admin key and no JWT configured: the API-key handler is the default scheme itself.</summary>
public sealed class ApiKeyOnlyGatewayFactory : SecuredGatewayFactory
{
    protected override bool WithJwt => false;
}

/// <summary>
/// README "Security" with API keys only (no <c>Auth:Jwt</c>), where no policy scheme picks the handler: the same answers as
/// with JWT configured for anonymous calls, bad or JWT-shaped credentials, client keys and revoked keys.
/// </summary>
public sealed class ApiKeyOnlyAccessTests(ApiKeyOnlyGatewayFactory factory) : IClassFixture<ApiKeyOnlyGatewayFactory>
{
    private static StringContent SendBody(string userId) =>
        new($$"""{"phone":"09121234567","text":"hi","type":"normal","user_id":"{{userId}}"}""", Encoding.UTF8, "application/json");

    [Fact(Timeout = 30_000)]
    public async Task Anonymous_calls_are_401_with_WWW_Authenticate()
    {
        var response = await factory.Client(null).PostAsync("/send", SendBody("k1"));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer realm=\"sms-gateway\"", response.Headers.WwwAuthenticate.ToString());
    }

    [Theory(Timeout = 30_000)]
    [InlineData("Bearer not-a-key")]
    [InlineData("Bearer sgw_k0000000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("Bearer a.b.c")] // JWT-shaped, but no JWT is configured: an unknown key
    public Task Bad_credentials_are_401_with_invalid_token(string header) => AccessContractTests.AssertInvalidTokenAsync(factory, header);

    [Fact(Timeout = 30_000)]
    public async Task A_jwt_is_refused_when_none_is_configured()
    {
        var response = await factory.Client(SecuredGatewayFactory.Jwt("k1", "admin")).GetAsync("/balance/k1");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_client_key_acts_only_for_its_user_until_revoked()
    {
        var admin = factory.Client(SecuredGatewayFactory.AdminKey);
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync("/charge/k2?amount=100000", null)).StatusCode);
        var key = await AccessContractTests.IssueKeyAsync(admin, "k2");
        var client = factory.Client(key);

        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync("/send", SendBody("k2"))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.PostAsync("/send", SendBody("k3"))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.PostAsync("/charge/k2?amount=5", null)).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/accounts/k2/keys/{key.Split('_', 3)[1]}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/balance/k2")).StatusCode);
    }
}
