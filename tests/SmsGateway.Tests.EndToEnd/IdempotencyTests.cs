using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using static SmsGateway.Tests.EndToEnd.SeedApiTests;

namespace SmsGateway.Tests.EndToEnd;

public sealed class IdempotencyTests : IClassFixture<GatewayFactory>
{
    private readonly HttpClient _client;

    public IdempotencyTests(GatewayFactory factory) => _client = factory.CreateClient();

    private async Task<HttpResponseMessage> SendAsync(string key, string body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/send") { Content = Json(body) };
        request.Headers.Add("Idempotency-Key", key);
        return await _client.SendAsync(request);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_repeated_send_returns_the_first_answer_and_charges_once()
    {
        await _client.PostAsync("/charge/idem1?amount=100000", null);
        const string body = """{"phone":"09121234567","text":"once","type":"express","user_id":"idem1"}""";
        var first = await SendAsync("k-1", body);
        var second = await SendAsync("k-1", body);
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, second.StatusCode);
        Assert.Equal(await first.Content.ReadAsStringAsync(), await second.Content.ReadAsStringAsync());
        Assert.True(second.Headers.Contains("Idempotent-Replayed"));
        var id = (await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        await WaitForStatusAsync(_client, id, "sent");
        var balance = await _client.GetFromJsonAsync<JsonElement>("/balance/idem1");
        Assert.Equal(1150, balance.GetProperty("spent").GetInt64());

        var mismatch = await SendAsync("k-1", body.Replace("once", "twice", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, mismatch.StatusCode);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_repeated_charge_adds_once()
    {
        for (int i = 0; i < 3; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/charge/idem2?amount=500");
            request.Headers.Add("Idempotency-Key", "charge-1");
            Assert.Equal(HttpStatusCode.OK, (await _client.SendAsync(request)).StatusCode);
        }

        var balance = await _client.GetFromJsonAsync<JsonElement>("/balance/idem2");
        Assert.Equal(500, balance.GetProperty("available").GetInt64());
    }
}
