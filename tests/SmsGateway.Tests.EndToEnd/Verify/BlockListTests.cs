using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using SmsGateway.Testing;
using static SmsGateway.Tests.EndToEnd.SeedApiTests;

namespace SmsGateway.Tests.EndToEnd.Verify;

/// <summary>Per-account and global block lists refuse sends uncharged; an SMPP "STOP" / "لغو" adds the sender to the line owner's list.</summary>
public sealed class BlockListTests(GatewayFactory factory) : IClassFixture<GatewayFactory>
{
    private readonly HttpClient _client = factory.CreateClient();

    private static StringContent Send(string user, string phone) => Json($$"""{"phone":"{{phone}}","text":"hello","type":"normal","user_id":"{{user}}"}""");

    private async Task<(long Available, long Reserved, long Spent)> BalanceAsync(string user)
    {
        var b = await _client.GetFromJsonAsync<JsonElement>($"/balance/{user}");
        return (b.GetProperty("available").GetInt64(), b.GetProperty("reserved").GetInt64(), b.GetProperty("spent").GetInt64());
    }

    private static async Task AssertBlocked(HttpResponseMessage response, string list)
    {
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("/problems/blocked-recipient", problem.GetProperty("type").GetString());
        Assert.Equal("phone", problem.GetProperty("field").GetString());
        Assert.Equal(list, problem.GetProperty("list").GetString());
    }

    [Fact(Timeout = 30_000)]
    public async Task A_number_on_the_accounts_list_is_refused_uncharged_in_any_spelling_and_allowed_again_when_removed()
    {
        Assert.Equal(HttpStatusCode.OK, (await _client.PostAsync("/charge/bl1?amount=100000", null)).StatusCode);
        var put = await _client.PutAsync("/accounts/bl1/blocklist/۰۹۱۲۷۷۷۶۶۵۵", null);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        Assert.Equal("+989127776655", (await put.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("msisdn").GetString());
        Assert.Equal(HttpStatusCode.OK, (await _client.PutAsync("/accounts/bl1/blocklist/989127776655", null)).StatusCode); // already there

        var before = await BalanceAsync("bl1");
        await AssertBlocked(await _client.PostAsync("/send", Send("bl1", "+98 912 777 6655")), "account");
        await AssertBlocked(await _client.PostAsync("/send", Send("bl1", "09127776655")), "account");
        Assert.Equal(before, await BalanceAsync("bl1"));
        var report = await _client.GetFromJsonAsync<JsonElement>("/report/bl1");
        Assert.Empty(report.GetProperty("messages").EnumerateArray());

        // Another account may still send to it; another number of this account too.
        await _client.PostAsync("/charge/bl2?amount=100000", null);
        Assert.Equal(HttpStatusCode.Accepted, (await _client.PostAsync("/send", Send("bl2", "09127776655"))).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await _client.PostAsync("/send", Send("bl1", "09127776656"))).StatusCode);

        var list = await _client.GetFromJsonAsync<JsonElement>("/accounts/bl1/blocklist");
        var entry = Assert.Single(list.GetProperty("entries").EnumerateArray());
        Assert.Equal("admin", entry.GetProperty("source").GetString());

        Assert.Equal(HttpStatusCode.NoContent, (await _client.DeleteAsync("/accounts/bl1/blocklist/09127776655")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _client.DeleteAsync("/accounts/bl1/blocklist/09127776655")).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await _client.PostAsync("/send", Send("bl1", "09127776655"))).StatusCode);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_number_on_the_global_list_is_refused_for_every_account_on_send_and_verify()
    {
        await _client.PostAsync("/charge/bl3?amount=100000", null);
        await _client.PutAsync("/accounts/bl3/templates/otp", Json("""{"text":"Code {token}","tokens":{"token":"digits"}}"""));
        Assert.Equal(HttpStatusCode.Created, (await _client.PutAsync("/blocklist/global/09198887766", null)).StatusCode);
        var before = await BalanceAsync("bl3");

        await AssertBlocked(await _client.PostAsync("/send", Send("bl3", "09198887766")), "global");
        await AssertBlocked(await _client.PostAsync("/verify", Json("""{"template":"otp","phone":"09198887766","tokens":{"token":"1234"},"user_id":"bl3"}""")), "global");
        Assert.Equal(before, await BalanceAsync("bl3"));

        // In a batch only the blocked item is refused (422 naming phone); the other one is queued and charged.
        var batch = await _client.PostAsync("/send/batch", Json("""{"phones":["09198887766","09198887767"],"text":"hello","type":"normal","user_id":"bl3"}"""));
        Assert.Equal(HttpStatusCode.Accepted, batch.StatusCode);
        var results = (await batch.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("results");
        var refused = results[0].GetProperty("problem");
        Assert.Equal(422, refused.GetProperty("status").GetInt32());
        Assert.Equal("phone", refused.GetProperty("field").GetString());
        Assert.True(results[1].TryGetProperty("id", out _));
        var after = await BalanceAsync("bl3");
        Assert.True(after.Available < before.Available);
        Assert.Equal(before.Available - after.Available, after.Reserved + after.Spent - before.Reserved - before.Spent);

        Assert.Contains((await _client.GetFromJsonAsync<JsonElement>("/blocklist/global")).GetProperty("entries").EnumerateArray(),
            e => e.GetProperty("msisdn").GetString() == "+989198887766");

        Assert.Equal(HttpStatusCode.NoContent, (await _client.DeleteAsync("/blocklist/global/+989198887766")).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await _client.PostAsync("/send", Send("bl3", "09198887766"))).StatusCode);
    }

    [Theory(Timeout = 30_000)]
    [InlineData("/accounts/bl4/blocklist/12345", "msisdn")]
    [InlineData("/blocklist/global/0812345678", "msisdn")]
    [InlineData("/accounts/bad%20user/blocklist/09121234567", "userId")]
    public async Task A_bad_msisdn_or_user_is_400_naming_it(string path, string field)
    {
        var response = await _client.PutAsync(path, null);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _));
    }

    [Fact(Timeout = 120_000)]
    public async Task An_SMPP_STOP_to_an_accounts_line_adds_the_sender_to_that_accounts_list()
    {
        await using var smsc = await SmppSmsc.StartAsync();
        var path = await smsc.WriteOperatorTableAsync(Path.Combine(AppContext.BaseDirectory, "operator.json"));
        await using var host = new WebApplicationFactoryWith(b => b.UseSetting("Gateway:OperatorTable", path));
        var client = host.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.PutAsync("/accounts/shop1/settings", Json("""{"allowed_senders":["30001234"]}"""))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/charge/shop1?amount=1000000", null)).StatusCode);

        // A send binds MCI's SMPP client; the SMSC then has a bind to deliver the MO on.
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync("/send", Json("""{"phone":"09121110000","text":"hi","type":"express","user_id":"shop1","from":"30001234"}"""))).StatusCode);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((await smsc.StateAsync()).GetProperty("submits").GetArrayLength() == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the SMSC received no submit_sm");
            await Task.Delay(50);
        }

        await smsc.SendMobileOriginatedAsync("989121112222", "30001234", " لغو ");
        await smsc.SendMobileOriginatedAsync("989121113333", "30001234", "stop");
        await smsc.SendMobileOriginatedAsync("989121114444", "30001234", "stop sending me ads"); // not an opt-out
        await smsc.SendMobileOriginatedAsync("989121115555", "3000999", "STOP");               // a line nobody owns

        JsonElement[] entries = [];
        while (DateTime.UtcNow < deadline && (await smsc.StateAsync()).GetProperty("mo_acked").GetArrayLength() < 4)
        {
            await Task.Delay(50);
        }

        entries = [.. (await client.GetFromJsonAsync<JsonElement>("/accounts/shop1/blocklist")).GetProperty("entries").EnumerateArray()];
        Assert.Equal(new[] { "+989121112222", "+989121113333" }, entries.Select(e => e.GetProperty("msisdn").GetString()!));
        Assert.All(entries, e => Assert.Equal("opt-out", e.GetProperty("source").GetString()));
        Assert.All((await smsc.StateAsync()).GetProperty("mo_acked").EnumerateArray(), a => Assert.Equal(0, a.GetProperty("status").GetInt32()));
        Assert.Empty((await client.GetFromJsonAsync<JsonElement>("/blocklist/global")).GetProperty("entries").EnumerateArray());

        var before = await client.GetFromJsonAsync<JsonElement>("/balance/shop1");
        var refused = await client.PostAsync("/send", Json("""{"phone":"09121112222","text":"sale!","type":"normal","user_id":"shop1","from":"30001234"}"""));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        var after = await client.GetFromJsonAsync<JsonElement>("/balance/shop1");
        Assert.Equal(before.GetProperty("available").GetInt64(), after.GetProperty("available").GetInt64());
    }
}
