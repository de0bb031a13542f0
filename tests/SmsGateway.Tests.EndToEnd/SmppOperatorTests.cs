using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using SmsGateway.Testing;
using static SmsGateway.Tests.EndToEnd.SeedApiTests;

namespace SmsGateway.Tests.EndToEnd;

/// <summary>
/// The whole way to a real peer: /send → pipeline → the SMPP client bound to an independent SMSC (npm <c>smpp</c>, see
/// tests/SmsGateway.Tests.Smpp/smsc) through MCI's <c>connection</c> in operator.json → <c>deliver_sm</c> receipts →
/// <c>delivered</c> in /report. Each message reaches the SMSC exactly once, from the account's sender id.
/// </summary>
public sealed class SmppOperatorTests
{
    [Fact(Timeout = 120_000)]
    public async Task Messages_sent_over_SMPP_end_delivered_from_the_SMSCs_receipts()
    {
        await using var smsc = await SmppSmsc.StartAsync();
        await smsc.ConfigureAsync(new { receipt = "DELIVRD" });
        var table = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "operator.json")))!;
        var mci = table["operators"]!.AsArray().First(o => (string?)o!["name"] == "MCI")!;
        mci["connection"] = new JsonObject
        {
            ["type"] = "smpp", ["host"] = "127.0.0.1", ["port"] = smsc.Port, ["system_id"] = smsc.SystemId,
            ["password"] = smsc.Password, ["source_addr"] = "3000123", ["window"] = 10,
        };
        var path = Path.Combine(Directory.CreateTempSubdirectory("smsgw-smpp-").FullName, "operator.json");
        await File.WriteAllTextAsync(path, table.ToJsonString());

        await using var factory = new WebApplicationFactoryWith(b => b.UseSetting("Gateway:OperatorTable", path));
        var client = factory.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.PutAsync("/accounts/smpp1/settings", Json("""{"allowed_senders":["MyShop"]}"""))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/charge/smpp1?amount=100000000", null)).StatusCode);

        const int count = 40;
        var ids = new HashSet<string>();
        for (var i = 0; i < count; i++)
        {
            var text = i % 4 == 0 ? "کد تایید شما " + i : "code " + i;
            var send = await client.PostAsync("/send", Json($$"""{"phone":"0912123{{i:D4}}","text":"{{text}}","type":"express","user_id":"smpp1","from":"MyShop"}"""));
            Assert.Equal(HttpStatusCode.Accepted, send.StatusCode);
            ids.Add((await send.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!);
        }

        var deadline = DateTime.UtcNow.AddSeconds(60);
        long delivered = 0;
        while (DateTime.UtcNow < deadline)
        {
            var report = await client.GetFromJsonAsync<JsonElement>("/report/smpp1?limit=1");
            delivered = report.GetProperty("counts").GetProperty("delivered").GetInt64();
            if (delivered == count)
            {
                break;
            }

            await Task.Delay(100);
        }

        Assert.Equal(count, delivered);
        var state = await smsc.StateAsync();
        var submits = state.GetProperty("submits").EnumerateArray().ToList();
        Assert.Equal(count, submits.Count);
        Assert.All(submits, s => Assert.Equal("MyShop", s.GetProperty("source_addr").GetString()));
        Assert.All(submits, s => Assert.Equal(5, s.GetProperty("source_addr_ton").GetInt32()));
        Assert.Equal(count, submits.Select(s => s.GetProperty("destination_addr").GetString()).Distinct().Count());
        var balance = await client.GetFromJsonAsync<JsonElement>("/balance/smpp1");
        Assert.Equal(0, balance.GetProperty("reserved").GetInt64());
    }
}
