using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using SmsGateway.Tests.EndToEnd.Access;
using static SmsGateway.Tests.EndToEnd.SeedApiTests;

namespace SmsGateway.Tests.EndToEnd.Verify;

/// <summary>Verification templates (admin CRUD, validation when saved) and POST /verify (typed tokens, express, charged) on the embedded profile.</summary>
public sealed class TemplateAndVerifyTests(GatewayFactory factory) : IClassFixture<GatewayFactory>
{
    private readonly HttpClient _client = factory.CreateClient();

    private static async Task<JsonElement> Problem(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static string[] Fields(JsonElement problem) => [.. problem.GetProperty("errors").EnumerateObject().Select(p => p.Name)];

    [Fact(Timeout = 30_000)]
    public async Task Templates_are_created_read_listed_replaced_and_deleted()
    {
        var put = await _client.PutAsync("/accounts/tpl1/templates/otp", Json("""{"text":"کد تایید شما: {token}","tokens":{"token":"digits"}}"""));
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        var created = await put.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("otp", created.GetProperty("name").GetString());
        Assert.Equal("digits", created.GetProperty("tokens").GetProperty("token").GetProperty("type").GetString());
        Assert.Equal(10, created.GetProperty("tokens").GetProperty("token").GetProperty("max_length").GetInt32());
        Assert.Equal("UCS-2", created.GetProperty("encoding").GetString());
        Assert.Equal(1, created.GetProperty("max_segments").GetInt32());

        var got = await _client.GetFromJsonAsync<JsonElement>("/accounts/tpl1/templates/otp");
        Assert.Equal("کد تایید شما: {token}", got.GetProperty("text").GetString());

        var replaced = await _client.PutAsync("/accounts/tpl1/templates/otp",
            Json("""{"text":"Your code: {code} ({app})","tokens":{"code":{"type":"digits","max_length":6},"app":"alphanumeric"}}"""));
        Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);
        Assert.Equal("GSM-7", (await replaced.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("encoding").GetString());
        Assert.Equal(HttpStatusCode.Created, (await _client.PutAsync("/accounts/tpl1/templates/login", Json("""{"text":"Login {code}","tokens":{"code":"digits"}}"""))).StatusCode);

        var list = await _client.GetFromJsonAsync<JsonElement>("/accounts/tpl1/templates");
        Assert.Equal(new[] { "login", "otp" }, list.GetProperty("templates").EnumerateArray().Select(t => t.GetProperty("name").GetString()!));
        Assert.Empty((await _client.GetFromJsonAsync<JsonElement>("/accounts/tpl2/templates")).GetProperty("templates").EnumerateArray());

        Assert.Equal(HttpStatusCode.NoContent, (await _client.DeleteAsync("/accounts/tpl1/templates/login")).StatusCode);
        await Problem(await _client.DeleteAsync("/accounts/tpl1/templates/login"), HttpStatusCode.NotFound);
        await Problem(await _client.GetAsync("/accounts/tpl1/templates/login"), HttpStatusCode.NotFound);
    }

    [Theory(Timeout = 30_000)]
    [InlineData("""{"text":"code {token}","tokens":{}}""", "text")]                                   // placeholder not declared
    [InlineData("""{"text":"code {token}","tokens":{"token":"digits","other":"text"}}""", "tokens.other")] // declared, unused
    [InlineData("""{"text":"code {token}","tokens":{"token":"number"}}""", "tokens.token")]            // unknown type
    [InlineData("""{"text":"code {token}","tokens":{"token":{"type":"digits","max_length":0}}}""", "tokens.token")]
    [InlineData("""{"text":"code {token} }","tokens":{"token":"digits"}}""", "text")]                 // stray brace
    [InlineData("""{"text":"","tokens":{}}""", "text")]
    [InlineData("""{"text":"code {token}","tokens":{"token":"digits"},"extra":1}""", "extra")]
    [InlineData("""{"text":"code {token}","tokens":"digits"}""", "tokens")]
    public async Task A_bad_template_is_400_naming_the_field(string body, string field)
    {
        var problem = await Problem(await _client.PutAsync("/accounts/tpl3/templates/bad", Json(body)), HttpStatusCode.BadRequest);
        Assert.Contains(field, Fields(problem));
        await Problem(await _client.GetAsync("/accounts/tpl3/templates/bad"), HttpStatusCode.NotFound);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_template_whose_longest_rendering_needs_too_many_segments_is_refused()
    {
        // 3 UCS-2 segments hold 201 units: a text token of 100 on a 110-character Persian text needs 4 at its longest.
        var text = new string('س', 110) + " {name}";
        var tooLong = await Problem(await _client.PutAsync("/accounts/tpl4/templates/long",
            Json(JsonSerializer.Serialize(new { text, tokens = new { name = new { type = "text", max_length = 100 } } }))), HttpStatusCode.BadRequest);
        Assert.Contains("4 UCS-2 segments", tooLong.GetProperty("errors").GetProperty("text")[0].GetString(), StringComparison.Ordinal);

        // The same placeholder as digits of at most 20: 110 + 1 + 20 = 131 units, 2 segments.
        var ok = await _client.PutAsync("/accounts/tpl4/templates/long",
            Json(JsonSerializer.Serialize(new { text, tokens = new { name = new { type = "digits", max_length = 20 } } })));
        Assert.Equal(HttpStatusCode.Created, ok.StatusCode);
        Assert.Equal(2, (await ok.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("max_segments").GetInt32());
    }

    [Fact(Timeout = 30_000)]
    public async Task Verify_sends_the_filled_template_as_express_and_charges_it()
    {
        Assert.Equal(HttpStatusCode.Created, (await _client.PutAsync("/accounts/ver1/templates/otp",
            Json("""{"text":"کد تایید شما: {token}","tokens":{"token":{"type":"digits","max_length":6}}}"""))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _client.PostAsync("/charge/ver1?amount=100000", null)).StatusCode);

        var verify = await _client.PostAsync("/verify", Json("""{"template":"otp","phone":"09121234567","tokens":{"token":"۴۸۲۹۱۷"},"user_id":"ver1"}"""));
        Assert.Equal(HttpStatusCode.Accepted, verify.StatusCode);
        var accepted = await verify.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("+989121234567", accepted.GetProperty("phone").GetString());
        Assert.Equal("UCS-2", accepted.GetProperty("encoding").GetString());
        var cost = accepted.GetProperty("cost").GetInt64();
        Assert.True(cost > 0);

        var id = accepted.GetProperty("id").GetString()!;
        await WaitForStatusAsync(_client, id, "sent");
        var message = (await _client.GetFromJsonAsync<JsonElement>($"/messages/{id}")).GetProperty("message");
        Assert.Equal("express", message.GetProperty("type").GetString());
        var balance = await _client.GetFromJsonAsync<JsonElement>("/balance/ver1");
        Assert.Equal(cost, balance.GetProperty("spent").GetInt64());
        Assert.Equal(100000 - cost, balance.GetProperty("available").GetInt64());
    }

    [Theory(Timeout = 30_000)]
    [InlineData("""{"template":"otp","phone":"09121234567","tokens":{"token":"12a4"},"user_id":"ver2"}""", "tokens.token")]
    [InlineData("""{"template":"otp","phone":"09121234567","tokens":{"token":"1234567"},"user_id":"ver2"}""", "tokens.token")]
    [InlineData("""{"template":"otp","phone":"09121234567","tokens":{},"user_id":"ver2"}""", "tokens.token")]
    [InlineData("""{"template":"otp","phone":"09121234567","tokens":{"token":"1234","x":"1"},"user_id":"ver2"}""", "tokens.x")]
    [InlineData("""{"template":"otp","phone":"09121234567","tokens":{"token":["1"]},"user_id":"ver2"}""", "tokens.token")]
    [InlineData("""{"template":"nope","phone":"09121234567","tokens":{"token":"1234"},"user_id":"ver2"}""", "template")]
    [InlineData("""{"phone":"09121234567","tokens":{"token":"1234"},"user_id":"ver2"}""", "template")]
    [InlineData("""{"template":"otp","phone":"0812","tokens":{"token":"1234"},"user_id":"ver2"}""", "phone")]
    [InlineData("""{"template":"otp","phone":"09121234567","tokens":{"token":"1234"},"user_id":"ver2","text":"x"}""", "text")]
    public async Task A_bad_verify_is_400_naming_the_field_and_charges_nothing(string body, string field)
    {
        await _client.PutAsync("/accounts/ver2/templates/otp", Json("""{"text":"Code {token}","tokens":{"token":{"type":"digits","max_length":6}}}"""));
        await _client.PostAsync("/charge/ver2?amount=1000", null);
        var before = await _client.GetFromJsonAsync<JsonElement>("/balance/ver2");

        var problem = await Problem(await _client.PostAsync("/verify", Json(body)), HttpStatusCode.BadRequest);
        Assert.Contains(field, Fields(problem));
        var after = await _client.GetFromJsonAsync<JsonElement>("/balance/ver2");
        Assert.Equal(before.GetProperty("available").GetInt64(), after.GetProperty("available").GetInt64());
        Assert.Equal(0, after.GetProperty("reserved").GetInt64());
    }

    [Fact(Timeout = 30_000)]
    public async Task A_client_key_verifies_for_its_own_account_only()
    {
        await using var secured = new SecuredGatewayFactory();
        var admin = secured.Client(SecuredGatewayFactory.AdminKey);
        Assert.Equal(HttpStatusCode.Created, (await admin.PutAsync("/accounts/ver3/templates/otp", Json("""{"text":"Code {token}","tokens":{"token":"digits"}}"""))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync("/charge/ver3?amount=10000", null)).StatusCode);
        var key = (await (await admin.PostAsync("/accounts/ver3/keys", null)).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("api_key").GetString();
        var client = secured.Client(key);

        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync("/verify", Json("""{"template":"otp","phone":"09351234567","tokens":{"token":"1234"}}"""))).StatusCode);
        await Problem(await client.PostAsync("/verify", Json("""{"template":"otp","phone":"09351234567","tokens":{"token":"1234"},"user_id":"ver4"}""")), HttpStatusCode.Forbidden);
        await Problem(await client.PutAsync("/accounts/ver3/templates/x", Json("""{"text":"x"}""")), HttpStatusCode.Forbidden);
        Assert.Equal(HttpStatusCode.Unauthorized, (await secured.Client(null).PostAsync("/verify", Json("{}"))).StatusCode);
    }
}
