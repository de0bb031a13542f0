using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace SmsGateway.Tests.EndToEnd;

/// <summary>The seed's calls, verbatim, through HTTP.</summary>
public sealed class SeedApiTests : IClassFixture<GatewayFactory>
{
    private readonly HttpClient _client;

    public SeedApiTests(GatewayFactory factory) => _client = factory.CreateClient();

    internal static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    internal static async Task<JsonElement> WaitForStatusAsync(HttpClient client, string id, string status)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var response = await client.GetAsync($"/messages/{id}");
            if (response.StatusCode == HttpStatusCode.OK)
            {
                var body = await response.Content.ReadFromJsonAsync<JsonElement>();
                if (body.GetProperty("message").GetProperty("status").GetString() == status)
                {
                    return body;
                }
            }

            Assert.True(DateTime.UtcNow < deadline, $"message {id} did not reach {status}");
            await Task.Delay(20);
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task Charge_send_report_as_the_seed_does()
    {
        var charge = await _client.PostAsync("/charge/123?amount=123456", null);
        Assert.Equal(HttpStatusCode.OK, charge.StatusCode);
        var balance = await charge.Content.ReadFromJsonAsync<JsonElement>();
        long before = balance.GetProperty("available").GetInt64();

        var send = await _client.PostAsync("/send", Json("""{"phone":"09121234567","text":"کد تایید: 1234","type":"express","user_id":"123"}"""));
        Assert.Equal(HttpStatusCode.Accepted, send.StatusCode);
        var accepted = await send.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("queued", accepted.GetProperty("status").GetString());
        Assert.Equal("+989121234567", accepted.GetProperty("phone").GetString());
        Assert.Equal("MCI", accepted.GetProperty("operator").GetString());
        Assert.Equal(1, accepted.GetProperty("segments").GetInt32());
        Assert.Equal("UCS-2", accepted.GetProperty("encoding").GetString());
        long cost = accepted.GetProperty("cost").GetInt64();
        Assert.True(cost > 0);
        var id = accepted.GetProperty("id").GetString()!;

        var message = await WaitForStatusAsync(_client, id, "sent");
        Assert.Contains(message.GetProperty("history").EnumerateArray(), h => h.GetProperty("status").GetString() == "queued");

        var report = await _client.GetFromJsonAsync<JsonElement>("/report/123");
        Assert.True(report.GetProperty("counts").GetProperty("sent").GetInt64() >= 1);
        var row = report.GetProperty("messages").EnumerateArray().Single(m => m.GetProperty("id").GetString() == id);
        Assert.Equal("sent", row.GetProperty("status").GetString());
        Assert.Equal("MCI", row.GetProperty("operator").GetString());
        Assert.Equal("UCS-2", row.GetProperty("encoding").GetString());

        var after = await _client.GetFromJsonAsync<JsonElement>("/balance/123");
        Assert.Equal(before - cost, after.GetProperty("available").GetInt64());
        Assert.Equal(0, after.GetProperty("reserved").GetInt64());
    }

    [Fact(Timeout = 30_000)]
    public async Task Numeric_user_id_and_every_phone_form_are_accepted()
    {
        await _client.PostAsync("/charge/777?amount=100000", null);
        foreach (var phone in new[] { "+989351234567", "00989351234567", "989351234567", "09351234567", "9351234567", "۰۹۳۵ ۱۲۳-۴۵۶۷" })
        {
            var send = await _client.PostAsync("/send", Json($$"""{"phone":"{{phone}}","text":"hello","type":"normal","user_id":777}"""));
            Assert.Equal(HttpStatusCode.Accepted, send.StatusCode);
            var body = await send.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("+989351234567", body.GetProperty("phone").GetString());
            Assert.Equal("MTN", body.GetProperty("operator").GetString());
            Assert.Equal("GSM-7", body.GetProperty("encoding").GetString());
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task Service_endpoints_answer()
    {
        Assert.Equal(HttpStatusCode.OK, (await _client.GetAsync("/health/live")).StatusCode);
        var ready = await _client.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        // Embedded profile, all roles: every dependency is in memory and listed as healthy.
        var report = await ready.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("healthy", report.GetProperty("status").GetString());
        var checks = report.GetProperty("checks").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!, c => c);
        Assert.Equal(["broker", "ledger", "lock_quorum", "pipeline", "status_store"], checks.Keys.Order(StringComparer.Ordinal));
        foreach (var name in new[] { "broker", "ledger", "lock_quorum", "status_store" })
        {
            Assert.Equal("healthy", checks[name].GetProperty("status").GetString());
            Assert.Equal("in-memory", checks[name].GetProperty("description").GetString());
        }

        var openapi = await _client.GetStringAsync("/openapi/v1.json");
        Assert.Contains("/send", openapi, StringComparison.Ordinal);
        await _client.PostAsync("/charge/m1?amount=5000", null);
        await _client.PostAsync("/send", Json("""{"phone":"09121234567","text":"x","type":"express","user_id":"m1"}"""));
        var metrics = await _client.GetStringAsync("/metrics");
        Assert.Contains(metrics.Split('\n'), l => l.StartsWith("sms_accepted_total{", StringComparison.Ordinal) && l.Contains("type=\"express\"", StringComparison.Ordinal));
        Assert.Contains("sms_accept_duration_milliseconds_bucket", metrics, StringComparison.Ordinal);
    }
}
