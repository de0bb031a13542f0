using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Xunit.Abstractions;
using static SmsGateway.Tests.EndToEnd.SeedApiTests;

namespace SmsGateway.Tests.EndToEnd;

/// <summary>Sender ids, simulator receipts and signed callbacks through the HTTP API (embedded profile).</summary>
public sealed class ReceiptsAndCallbacksTests(ITestOutputHelper output)
{
    private const string Secret = "test-callback-secret-0123456789";

    private static WebApplicationFactoryWith Gateway(bool allowPrivate) => new(b =>
    {
        b.UseSetting("Gateway:Simulator:DeliveryReceipts", "true");
        b.UseSetting("Gateway:Simulator:UndeliveredShare", "0.25");
        b.UseSetting("Gateway:Simulator:ReceiptDelayMs", "0");
        b.UseSetting("Callbacks:AllowPrivateTargets", allowPrivate ? "true" : "false");
        b.UseSetting("Callbacks:BaseDelayMs", "50");
    });

    [Fact(Timeout = 120_000)]
    public async Task Every_message_ends_delivered_or_undelivered_and_every_final_status_is_called_back_signed()
    {
        await using var receiver = await CallbackReceiver.StartAsync(Secret);
        await using var factory = Gateway(allowPrivate: true);
        var client = factory.CreateClient();
        var put = await client.PutAsync("/accounts/cb1/settings", Json($$"""{"allowed_senders":["MyShop","3000123"],"callback_secret":"{{Secret}}"}"""));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var settings = await put.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(settings.GetProperty("has_callback_secret").GetBoolean());
        Assert.False(settings.TryGetProperty("callback_secret", out _), "the secret is write-only");
        await client.PostAsync("/charge/cb1?amount=100000000", null);

        var forbidden = await client.PostAsync("/send", Json("""{"phone":"09121234567","text":"x","type":"normal","user_id":"cb1","from":"OtherShop"}"""));
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        Assert.Contains("from", await forbidden.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        const int count = 200;

        // Receipt-to-report latency: the delivered/undelivered row's updated_at is the receipt time (delay 0); poll the report.
        // Polled while the messages are sent, so that each row is seen soon after it appears.
        var latencies = new List<double>();
        var seen = new HashSet<string>();
        var polling = Task.Run(async () =>
        {
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (seen.Count < count && DateTime.UtcNow < deadline)
            {
                var report = await client.GetFromJsonAsync<JsonElement>("/report/cb1?limit=500&status=delivered");
                var report2 = await client.GetFromJsonAsync<JsonElement>("/report/cb1?limit=500&status=undelivered");
                var now = DateTimeOffset.UtcNow;
                foreach (var row in report.GetProperty("messages").EnumerateArray().Concat(report2.GetProperty("messages").EnumerateArray()))
                {
                    if (seen.Add(row.GetProperty("id").GetString()!))
                    {
                        latencies.Add((now - row.GetProperty("updated_at").GetDateTimeOffset()).TotalMilliseconds);
                    }
                }

                await Task.Delay(10);
            }
        });

        var ids = new List<string>();
        for (int i = 0; i < count; i++)
        {
            string from = i % 2 == 0 ? "MyShop" : "3000123";
            var response = await client.PostAsync("/send", Json($$"""{"phone":"0912{{i:D7}}","text":"hi {{i}}","type":"{{(i % 3 == 0 ? "express" : "normal")}}","user_id":"cb1","from":"{{from}}","callback_url":"{{receiver.Url}}"}"""));
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            ids.Add((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!);
        }

        await polling;
        Assert.Equal(count, seen.Count);
        var counts = (await client.GetFromJsonAsync<JsonElement>("/report/cb1?limit=1")).GetProperty("counts");
        long delivered = counts.GetProperty("delivered").GetInt64(), undelivered = counts.GetProperty("undelivered").GetInt64();
        Assert.Equal(count, delivered + undelivered);
        Assert.InRange(undelivered, 20, 80);
        latencies.Sort();
        output.WriteLine($"receipt-to-report latency over {latencies.Count} receipts: p50 {latencies[latencies.Count / 2]:F0} ms, p99 {latencies[(int)(latencies.Count * 0.99)]:F0} ms (10 ms polling included)");

        // Every message: a verified "sent" callback and a verified delivered/undelivered one, each after one refused try.
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (receiver.Accepted.Count < 2 * count && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.Equal(0, receiver.BadSignatures);
        Assert.Equal(2 * count, receiver.Accepted.Count);
        foreach (var id in ids)
        {
            Assert.True(receiver.Accepted.ContainsKey((id, "sent")), $"no sent callback for {id}");
            var final = receiver.Accepted.ContainsKey((id, "delivered")) ? "delivered" : "undelivered";
            var body = receiver.Accepted[(id, final)];
            Assert.Equal("cb1", body.GetProperty("user_id").GetString());
            Assert.Equal("MCI", body.GetProperty("operator").GetString());
            Assert.StartsWith(final == "delivered" ? "DELIVRD" : "UNDELIV", body.GetProperty("error_code").GetString(), StringComparison.Ordinal);
        }

        var attempts = await client.GetFromJsonAsync<JsonElement>($"/messages/{ids[0]}/callbacks");
        var sentTries = attempts.GetProperty("attempts").EnumerateArray().Where(a => a.GetProperty("status").GetString() == "sent").ToList();
        Assert.Equal(["retrying", "delivered"], sentTries.Select(a => a.GetProperty("outcome").GetString()));
        Assert.Equal(500, sentTries[0].GetProperty("http_status").GetInt32());
    }

    [Theory(Timeout = 60_000)]
    [InlineData("ftp://example.com/cb")]
    [InlineData("http://127.0.0.1:9/cb")]
    [InlineData("http://[::1]/cb")]
    [InlineData("http://10.1.2.3/cb")]
    [InlineData("http://localhost/cb")]
    [InlineData("not a url")]
    public async Task Callback_urls_must_be_http_to_public_targets(string url)
    {
        await using var factory = Gateway(allowPrivate: false);
        var client = factory.CreateClient();
        await client.PostAsync("/charge/cb2?amount=1000000", null);
        var response = await client.PostAsync("/send", Json($$"""{"phone":"09121234567","text":"x","type":"normal","user_id":"cb2","callback_url":"{{url}}"}"""));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty("callback_url", out _), problem.ToString());
        var put = await client.PutAsync("/accounts/cb2/settings", Json($$"""{"callback_url":"{{url}}"}"""));
        Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
    }

    [Fact(Timeout = 60_000)]
    public async Task Malformed_senders_are_400_and_unlisted_ones_403()
    {
        await using var factory = Gateway(allowPrivate: false);
        var client = factory.CreateClient();
        await client.PostAsync("/charge/cb3?amount=1000000", null);
        var bad = await client.PostAsync("/send", Json("""{"phone":"09121234567","text":"x","type":"normal","user_id":"cb3","from":"ThisNameIsTooLong"}"""));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.True((await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("from", out _));
        var unlisted = await client.PostAsync("/send", Json("""{"phone":"09121234567","text":"x","type":"normal","user_id":"cb3","from":"3000999"}"""));
        Assert.Equal(HttpStatusCode.Forbidden, unlisted.StatusCode);
        var badList = await client.PutAsync("/accounts/cb3/settings", Json("""{"allowed_senders":["ok","فروشگاه"]}"""));
        Assert.Equal(HttpStatusCode.BadRequest, badList.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.PutAsync("/accounts/cb3/settings", Json("""{"allowed_senders":["3000999"]}"""))).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync("/send", Json("""{"phone":"09121234567","text":"x","type":"normal","user_id":"cb3","from":"3000999"}"""))).StatusCode);
    }
}

/// <summary>The gateway factory with extra settings.</summary>
internal sealed class WebApplicationFactoryWith(Action<IWebHostBuilder> configure) : Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Gateway:Profile", "embedded");
        builder.UseSetting("Pipeline:StatusBatchMaxAge", "00:00:00.010");
        configure(builder);
    }
}
