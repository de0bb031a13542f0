using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace SmsGateway.Tests.FullStack;

/// <summary>
/// Templates and block lists in PostgreSQL (migrations 0150, 0151), shared by two gateways on one stack over NATS: a template
/// saved on one is used by /verify on the other, which sends express and charges; a number blocked (per account or
/// globally) on one is refused uncharged by the other within the block-list check's 5 s; an SMPP "لغو" received by one
/// (from the npm SMSC) lands in PostgreSQL and the other refuses that number.
/// </summary>
[Collection(FullStackCollection.Name)]
public sealed class VerifyStackTests(StackFixture stack)
{
    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static async Task<HttpStatusCode> StatusWithin(Func<Task<HttpResponseMessage>> call, HttpStatusCode wanted, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            using var response = await call();
            if (response.StatusCode == wanted || DateTime.UtcNow > deadline)
            {
                return response.StatusCode;
            }

            await Task.Delay(100);
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task Templates_verify_and_block_lists_work_across_gateways()
    {
        var db = await stack.Postgres.CreateDatabaseAsync("verify");
        var settings = HostSettings.Create(stack, db).Nats(stack.Nats);
        await using var first = settings.Build();
        await using var second = settings.Build();
        var one = new GatewayApi(first.CreateClient());
        var two = new GatewayApi(second.CreateClient());

        var put = await one.Client.PutAsync("/accounts/fv1/templates/otp", Json("""{"text":"کد تایید شما: {token}","tokens":{"token":{"type":"digits","max_length":6}}}"""));
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        var bad = await one.Client.PutAsync("/accounts/fv1/templates/bad", Json("""{"text":"code {token}","tokens":{}}"""));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.True((await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("text", out _));
        Assert.Equal("otp", Assert.Single((await two.Client.GetFromJsonAsync<JsonElement>("/accounts/fv1/templates")).GetProperty("templates").EnumerateArray())
            .GetProperty("name").GetString());
        await one.ChargeAsync("fv1", 1_000_000);

        var verify = await two.Client.PostAsync("/verify", Json("""{"template":"otp","phone":"09121234567","tokens":{"token":"482917"},"user_id":"fv1"}"""));
        Assert.Equal(HttpStatusCode.Accepted, verify.StatusCode);
        var accepted = await verify.Content.ReadFromJsonAsync<JsonElement>();
        var cost = accepted.GetProperty("cost").GetInt64();
        var sent = await two.WaitForStatusAsync(accepted.GetProperty("id").GetString()!, "sent", TimeSpan.FromSeconds(30));
        Assert.Equal("express", sent.GetProperty("message").GetProperty("type").GetString());
        Assert.Equal(cost, (await one.BalanceAsync("fv1")).Spent);

        var tokenProblem = await two.Client.PostAsync("/verify", Json("""{"template":"otp","phone":"09121234567","tokens":{"token":"12ab"},"user_id":"fv1"}"""));
        Assert.Equal(HttpStatusCode.BadRequest, tokenProblem.StatusCode);
        Assert.True((await tokenProblem.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("tokens.token", out _));

        // Per account: blocked through the first gateway, refused by the second once its copy of the list is re-read (within 5 s;
        // sends it accepted before that are ordinary sends). From then on, refused sends on either gateway charge nothing.
        Assert.Equal(HttpStatusCode.Created, (await one.Client.PutAsync("/accounts/fv1/blocklist/09125550000", null)).StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, await StatusWithin(() => two.Client.PostAsync("/send",
            Json("""{"phone":"+989125550000","text":"hi","type":"normal","user_id":"fv1"}""")), HttpStatusCode.UnprocessableEntity, TimeSpan.FromSeconds(8)));
        await one.WaitForFinalAsync("fv1", (int)(await one.CountsAsync("fv1")).Values.Sum(), TimeSpan.FromSeconds(30));
        var before = await one.BalanceAsync("fv1");
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, (await two.Client.PostAsync("/send",
                Json("""{"phone":"09125550000","text":"hi","type":"express","user_id":"fv1"}"""))).StatusCode);
            Assert.Equal(HttpStatusCode.UnprocessableEntity, (await one.Client.PostAsync("/verify",
                Json("""{"template":"otp","phone":"09125550000","tokens":{"token":"1234"},"user_id":"fv1"}"""))).StatusCode);
        }

        Assert.Equal(before, await one.BalanceAsync("fv1"));

        // Global: refused for every account; an account that never sent to it is charged nothing at all.
        await one.ChargeAsync("fv2", 1_000_000);
        var before2 = await one.BalanceAsync("fv2");
        Assert.Equal(HttpStatusCode.Created, (await one.Client.PutAsync("/blocklist/global/09356660000", null)).StatusCode);
        var problem = await (await one.Client.PostAsync("/send", Json("""{"phone":"09356660000","text":"hi","type":"normal","user_id":"fv2"}""")))
            .Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("/problems/blocked-recipient", problem.GetProperty("type").GetString());
        Assert.Equal("global", problem.GetProperty("list").GetString());
        await Task.Delay(TimeSpan.FromSeconds(5.5)); // the second gateway's copy of the global list is at most 5 s old now
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await two.Client.PostAsync("/send",
            Json("""{"phone":"09356660000","text":"hi","type":"normal","user_id":"fv2"}"""))).StatusCode);
        Assert.Equal(before2, await one.BalanceAsync("fv2"));
        Assert.Equal(0, (await one.CountsAsync("fv2")).Values.Sum());

        // Unblocked on the second gateway: the first sends again within 5 s.
        Assert.Equal(HttpStatusCode.NoContent, (await two.Client.DeleteAsync("/accounts/fv1/blocklist/+989125550000")).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, await StatusWithin(() => one.Client.PostAsync("/send",
            Json("""{"phone":"09125550000","text":"hi","type":"normal","user_id":"fv1"}""")), HttpStatusCode.Accepted, TimeSpan.FromSeconds(8)));
    }

    [Fact(Timeout = 150_000)]
    public async Task An_SMPP_STOP_adds_the_sender_to_the_line_owners_list_in_PostgreSQL_and_the_other_gateway_refuses_it()
    {
        await using var smsc = await SmppSmsc.StartAsync();
        var path = await smsc.WriteOperatorTableAsync(Path.Combine(AppContext.BaseDirectory, "operator.json"));

        // The first gateway binds to the SMSC and receives the MO; the second (simulator operators) only shares PostgreSQL.
        var db = await stack.Postgres.CreateDatabaseAsync("optout");
        var settings = HostSettings.Create(stack, db).Nats(stack.Nats);
        await using var bound = settings.With("Gateway:OperatorTable", path).Build();
        await using var other = settings.Build();
        var one = new GatewayApi(bound.CreateClient());
        var two = new GatewayApi(other.CreateClient());
        Assert.Equal(HttpStatusCode.OK, (await one.Client.PutAsync("/accounts/fs1/settings", Json("""{"allowed_senders":["30001234"]}"""))).StatusCode);
        await one.ChargeAsync("fs1", 1_000_000);

        // A send binds MCI's SMPP client; the SMSC then has a bind to deliver the MO on.
        Assert.Equal(HttpStatusCode.Accepted, await StatusWithin(() => one.Client.PostAsync("/send",
            Json("""{"phone":"09121110000","text":"hi","type":"express","user_id":"fs1","from":"30001234"}""")), HttpStatusCode.Accepted, TimeSpan.FromSeconds(10)));
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while ((await smsc.StateAsync()).GetProperty("submits").GetArrayLength() == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the SMSC received no submit_sm");
            await Task.Delay(100);
        }

        await smsc.SendMobileOriginatedAsync("989121112222", "30001234", " لغو ");
        await smsc.SendMobileOriginatedAsync("989121114444", "30001234", "stop sending me ads"); // not an opt-out
        while ((await smsc.StateAsync()).GetProperty("mo_acked").GetArrayLength() < 2)
        {
            Assert.True(DateTime.UtcNow < deadline, "the MOs were not acked");
            await Task.Delay(100);
        }

        // Stored in PostgreSQL: the other gateway lists it and refuses a send to it, uncharged.
        var entries = (await two.Client.GetFromJsonAsync<JsonElement>("/accounts/fs1/blocklist")).GetProperty("entries").EnumerateArray().ToList();
        var entry = Assert.Single(entries);
        Assert.Equal("+989121112222", entry.GetProperty("msisdn").GetString());
        Assert.Equal("opt-out", entry.GetProperty("source").GetString());
        var before = await two.BalanceAsync("fs1");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, await StatusWithin(() => two.Client.PostAsync("/send",
            Json("""{"phone":"09121112222","text":"sale!","type":"normal","user_id":"fs1"}""")), HttpStatusCode.UnprocessableEntity, TimeSpan.FromSeconds(8)));
        Assert.Equal(before.Available, (await two.BalanceAsync("fs1")).Available);
    }
}
