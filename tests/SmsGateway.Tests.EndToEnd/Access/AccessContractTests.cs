using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.Extensions.DependencyInjection;
using static SmsGateway.Tests.EndToEnd.SeedApiTests;

namespace SmsGateway.Tests.EndToEnd.Access;

/// <summary>The contract of README "Security" in the embedded profile: admin key, client key, JWT, revoked key, anonymous.</summary>
public sealed class AccessContractTests(SecuredGatewayFactory factory) : IClassFixture<SecuredGatewayFactory>
{
    private const string Send = """{"phone":"09121234567","text":"hi","type":"normal"{0}}""";

    private HttpClient Admin => factory.Client(SecuredGatewayFactory.AdminKey);

    internal static async Task<string> IssueKeyAsync(HttpClient admin, string userId)
    {
        var response = await admin.PostAsync($"/accounts/{userId}/keys", null);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(userId, body.GetProperty("user_id").GetString());
        Assert.StartsWith("k", body.GetProperty("key_id").GetString(), StringComparison.Ordinal);
        return body.GetProperty("api_key").GetString()!;
    }

    private static StringContent SendBody(string? userId) =>
        Json(Send.Replace("{0}", userId is null ? "" : $",\"user_id\":\"{userId}\"", StringComparison.Ordinal));

    // GatewayAccessExtensions.ShareAuthorizationServices: one instance of each authorization service for all requests,
    // with the owner rule among the handlers (the 401/403 answers of this class run on the shared instances).
    [Fact]
    public void Authorization_services_are_one_instance_for_every_request()
    {
        using var one = factory.Services.CreateScope();
        using var two = factory.Services.CreateScope();
        Assert.Same(one.ServiceProvider.GetRequiredService<IAuthorizationService>(), two.ServiceProvider.GetRequiredService<IAuthorizationService>());
        Assert.Same(one.ServiceProvider.GetRequiredService<IPolicyEvaluator>(), two.ServiceProvider.GetRequiredService<IPolicyEvaluator>());
        Assert.Same(one.ServiceProvider.GetRequiredService<IAuthorizationHandlerProvider>(), two.ServiceProvider.GetRequiredService<IAuthorizationHandlerProvider>());
        var handlers = one.ServiceProvider.GetServices<IAuthorizationHandler>().ToList();
        Assert.Contains(handlers, h => h is SmsGateway.Host.Access.OwnerAuthorizationHandler);
        Assert.Equal(handlers, two.ServiceProvider.GetServices<IAuthorizationHandler>());
    }

    [Theory(Timeout = 30_000)]
    [InlineData("POST", "/send")]
    [InlineData("POST", "/charge/u1?amount=5")]
    [InlineData("GET", "/balance/u1")]
    [InlineData("GET", "/report/u1")]
    [InlineData("GET", "/messages/0192f0a0-0000-7000-8000-000000000000")]
    [InlineData("POST", "/accounts/u1/keys")]
    [InlineData("GET", "/accounts/u1/keys")]
    [InlineData("GET", "/accounts/u1/limits")]
    public async Task Anonymous_calls_are_401_with_WWW_Authenticate(string method, string path)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = method == "POST" ? SendBody("u1") : null };
        var response = await factory.Client(null).SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.StartsWith("Bearer", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    [Theory(Timeout = 30_000)]
    [InlineData("Basic dXNlcjpwYXNz")]
    [InlineData("Bearer not-a-key")]
    [InlineData("Bearer sgw_k0000000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("Bearer a.b.c")]
    public Task Bad_credentials_are_401_with_invalid_token(string header) => AssertInvalidTokenAsync(factory, header);

    /// <summary>A request carrying the raw <c>Authorization</c> <paramref name="header"/> is 401 with <c>error="invalid_token"</c>.</summary>
    internal static async Task AssertInvalidTokenAsync(SecuredGatewayFactory factory, string header)
    {
        var client = factory.Client(null);
        client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", header);
        var response = await client.GetAsync("/balance/u1");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("invalid_token", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task Admin_charges_reads_any_user_and_sends_on_behalf()
    {
        Assert.Equal(HttpStatusCode.OK, (await Admin.PostAsync("/charge/adm1?amount=100000", null)).StatusCode);
        var send = await Admin.PostAsync("/send", SendBody("adm1"));
        Assert.Equal(HttpStatusCode.Accepted, send.StatusCode);
        var id = (await send.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
        Assert.Equal(HttpStatusCode.OK, (await Admin.GetAsync("/balance/adm1")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Admin.GetAsync("/report/adm1")).StatusCode);
        await WaitForStatusAsync(Admin, id!, "sent");
    }

    [Fact(Timeout = 30_000)]
    public async Task Key_is_shown_once_listed_without_secret_and_acts_only_for_its_user()
    {
        var key = await IssueKeyAsync(Admin, "own1");
        await Admin.PostAsync("/charge/own1?amount=100000", null);
        await Admin.PostAsync("/charge/other1?amount=100000", null);
        var client = factory.Client(key);

        var list = await (await Admin.GetAsync("/accounts/own1/keys")).Content.ReadAsStringAsync();
        // The secret is base64url and may itself contain '_': split into prefix, key id and the whole secret.
        var parts = key.Split('_', 3);
        Assert.DoesNotContain(parts[2], list, StringComparison.Ordinal);
        Assert.Contains(parts[1], list, StringComparison.Ordinal);

        var own = await client.PostAsync("/send", SendBody("own1"));
        Assert.Equal(HttpStatusCode.Accepted, own.StatusCode);
        var implicitUser = await client.PostAsync("/send", SendBody(null));
        Assert.Equal(HttpStatusCode.Accepted, implicitUser.StatusCode);
        var id = (await implicitUser.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        var message = await WaitForStatusAsync(client, id, "sent");
        Assert.Equal("own1", message.GetProperty("message").GetProperty("user_id").GetString());

        Assert.Equal(HttpStatusCode.Forbidden, (await client.PostAsync("/send", SendBody("other1"))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.PostAsync("/charge/own1?amount=5", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/balance/own1")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/report/own1")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync("/balance/other1")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync("/report/other1")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.PostAsync("/accounts/own1/keys", null)).StatusCode);

        // The other user's money was not touched, and its messages are not readable.
        var otherSend = await Admin.PostAsync("/send", SendBody("other1"));
        var otherId = (await otherSend.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        await WaitForStatusAsync(Admin, otherId, "sent");
        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync($"/messages/{otherId}")).StatusCode);
        var balance = await Admin.GetFromJsonAsync<JsonElement>("/balance/other1");
        Assert.Equal(100000 - balance.GetProperty("spent").GetInt64(), balance.GetProperty("available").GetInt64());
        Assert.Equal(1, (await Admin.GetFromJsonAsync<JsonElement>("/report/other1")).GetProperty("messages").GetArrayLength());
    }

    [Fact(Timeout = 30_000)]
    public async Task A_revoked_key_is_refused()
    {
        var key = await IssueKeyAsync(Admin, "rev1");
        var client = factory.Client(key);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/balance/rev1")).StatusCode);
        var keyId = key.Split('_', 3)[1];

        Assert.Equal(HttpStatusCode.NoContent, (await Admin.DeleteAsync($"/accounts/rev1/keys/{keyId}")).StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/balance/rev1")).StatusCode);
        var list = await Admin.GetFromJsonAsync<JsonElement>("/accounts/rev1/keys");
        Assert.NotEqual(JsonValueKind.Null, list.GetProperty("keys")[0].GetProperty("revoked_at").ValueKind);
        Assert.Equal(HttpStatusCode.NotFound, (await Admin.DeleteAsync("/accounts/other/keys/" + keyId)).StatusCode);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_tampered_key_secret_is_refused()
    {
        var key = await IssueKeyAsync(Admin, "tamp1");
        var tampered = key[..^1] + (key[^1] == 'A' ? 'B' : 'A');
        Assert.Equal(HttpStatusCode.Unauthorized, (await factory.Client(tampered).GetAsync("/balance/tamp1")).StatusCode);
    }

    [Fact(Timeout = 30_000)]
    public async Task Jwt_client_acts_for_its_subject_and_jwt_admin_may_charge()
    {
        var client = factory.Client(SecuredGatewayFactory.Jwt("jwt1"));
        var admin = factory.Client(SecuredGatewayFactory.Jwt("ops", "admin"));

        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync("/charge/jwt1?amount=100000", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/balance/jwt1")).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync("/send", SendBody(null))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync("/balance/jwt2")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.PostAsync("/charge/jwt1?amount=1", null)).StatusCode);
    }

    [Fact(Timeout = 30_000)]
    public async Task Expired_foreign_or_misaddressed_jwts_are_401()
    {
        string[] tokens =
        [
            SecuredGatewayFactory.Jwt("jwt3", expires: DateTime.UtcNow.AddMinutes(-5)),
            SecuredGatewayFactory.Jwt("jwt3", audience: "someone-else"),
            SecuredGatewayFactory.Jwt("jwt3", signingKey: "another-signing-key-of-at-least-32-bytes"),
            SecuredGatewayFactory.Jwt("jwt3", role: "root"),
        ];
        foreach (var token in tokens)
        {
            var response = await factory.Client(token).GetAsync("/balance/jwt3");
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.StartsWith("Bearer", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task Health_and_metrics_stay_anonymous()
    {
        Assert.Equal(HttpStatusCode.OK, (await factory.Client(null).GetAsync("/health/live")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await factory.Client(null).GetAsync("/metrics")).StatusCode);
    }
}
