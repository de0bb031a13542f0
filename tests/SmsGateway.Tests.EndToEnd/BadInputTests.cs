using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using static SmsGateway.Tests.EndToEnd.SeedApiTests;

namespace SmsGateway.Tests.EndToEnd;

/// <summary>Bad input gets a 4xx problem naming the field, and costs nothing.</summary>
public sealed class BadInputTests : IClassFixture<GatewayFactory>
{
    private readonly HttpClient _client;

    public BadInputTests(GatewayFactory factory) => _client = factory.CreateClient();

    [Theory(Timeout = 30_000)]
    [InlineData("{not json", "body")]
    [InlineData("[]", "body")]
    [InlineData("", "body")]
    [InlineData("""{"phone":123.5,"text":"x","type":"express","user_id":"bad1"}""", "phone")]
    [InlineData("""{"phone":9121234567,"text":"x","type":"express","user_id":"bad1"}""", "phone")]
    [InlineData("""{"phone":"09121234567","text":"x","type":"express","user_id":1.5}""", "user_id")]
    [InlineData("""{"phone":"09121234567","text":["x"],"type":"express","user_id":"bad1"}""", "text")]
    [InlineData("""{"phone":"09121234567","text":"x","type":true,"user_id":"bad1"}""", "type")]
    [InlineData("""{"phone":"09121234567","text":"x","type":"express","user_id":{"a":1}}""", "user_id")]
    [InlineData("""{"phone":"09121234567","text":"x","type":"express"}""", "user_id")]
    [InlineData("""{"phone":"0912","text":"x","type":"express","user_id":"bad1"}""", "phone")]
    [InlineData("""{"phone":"09311234567","text":"x","type":"express","user_id":"bad1"}""", "phone")]
    [InlineData("""{"phone":"09121234567","text":"","type":"express","user_id":"bad1"}""", "text")]
    [InlineData("""{"phone":"09121234567","text":"x","type":"urgent","user_id":"bad1"}""", "type")]
    [InlineData("""{"phone":"09121234567","text":"x","type":"express","user_id":"bad1","colour":"red"}""", "colour")]
    [InlineData("""{"phone":"09121234567","text":"x","text":"y","type":"express","user_id":"bad1"}""", "text")]
    [InlineData("""{"phone":"09121234567","text":"x","t\u0065xt":"y","type":"express","user_id":"bad1"}""", "text")]
    [InlineData("""{"phone":"09121234567","text":"x","type":"express","user_id":"bad1","u\ud800":1}""", "body")]
    [InlineData("""{"phone":"09121234567","text":"x","type":"express","user_id":"bad1","\udc00":1}""", "body")]
    public async Task Bad_send_requests_are_400_naming_the_field_and_charge_nothing(string body, string field)
    {
        await _client.PostAsync("/charge/bad1?amount=100000", null);
        var before = await _client.GetFromJsonAsync<JsonElement>("/balance/bad1");

        var response = await _client.PostAsync("/send", Json(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"errors should name {field}: {problem}");
        var after = await _client.GetFromJsonAsync<JsonElement>("/balance/bad1");
        Assert.Equal(before.GetProperty("available").GetInt64(), after.GetProperty("available").GetInt64());
        Assert.Equal(0, after.GetProperty("reserved").GetInt64());
    }

    /// <summary>A property name with an unpaired surrogate escape cannot be compared with a field name without an exception; every body reader answers 400 for it.</summary>
    [Theory(Timeout = 30_000)]
    [InlineData("PUT", "/accounts/bad4/settings", """{"\udc00":1,"callback_url":"https://example.com/cb"}""")]
    [InlineData("POST", "/verify", """{"\udc00":1,"template":"otp","phone":"09121234567","user_id":"bad4"}""")]
    [InlineData("POST", "/send/batch", """{"\udc00":1,"phones":["09121234567"],"text":"x","type":"normal","user_id":"bad4"}""")]
    [InlineData("POST", "/send/batch", """{"messages":[{"\udc00":1,"phone":"09121234567","text":"x","type":"normal","user_id":"bad4"}]}""")]
    public async Task A_property_name_that_is_not_text_is_400_naming_the_body(string method, string path, string body)
    {
        var response = await _client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = Json(body) });

        Assert.True(response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.MultiStatus or HttpStatusCode.UnprocessableEntity,
            $"{method} {path} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        Assert.Contains("not valid UTF-8 or UTF-16 text", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task Oversized_text_is_refused()
    {
        var response = await _client.PostAsync("/send", Json($$"""{"phone":"09121234567","text":"{{new string('a', 1531)}}","type":"normal","user_id":"bad2"}"""));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("segments", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory(Timeout = 30_000)]
    [InlineData("0")]
    [InlineData("-5")]
    [InlineData("abc")]
    [InlineData("1.5")]
    [InlineData("99999999999999999999999")]
    [InlineData("10000000000001")]
    [InlineData("")]
    public async Task Bad_amounts_are_400_naming_amount(string amount)
    {
        var response = await _client.PostAsync($"/charge/bad3?amount={amount}", null);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty("amount", out _));
        var balance = await _client.GetFromJsonAsync<JsonElement>("/balance/bad3");
        Assert.Equal(0, balance.GetProperty("available").GetInt64());
    }

    [Fact(Timeout = 30_000)]
    public async Task Insufficient_balance_is_402_recorded_as_rejected_and_costs_nothing()
    {
        await _client.PostAsync("/charge/poor?amount=1000", null);
        var response = await _client.PostAsync("/send", Json("""{"phone":"09121234567","text":"hi","type":"express","user_id":"poor"}"""));
        Assert.Equal(HttpStatusCode.PaymentRequired, response.StatusCode);
        var balance = await _client.GetFromJsonAsync<JsonElement>("/balance/poor");
        Assert.Equal(1000, balance.GetProperty("available").GetInt64());
        Assert.Equal(0, balance.GetProperty("reserved").GetInt64());
        var deadline = DateTime.UtcNow.AddSeconds(10);
        JsonElement report;
        do
        {
            await Task.Delay(20);
            report = await _client.GetFromJsonAsync<JsonElement>("/report/poor");
        }
        while (report.GetProperty("counts").GetProperty("rejected").GetInt64() == 0 && DateTime.UtcNow < deadline);
        Assert.Equal(1, report.GetProperty("counts").GetProperty("rejected").GetInt64());
    }

    [Theory(Timeout = 30_000)]
    [InlineData("/report/u1?status=bogus", "status")]
    [InlineData("/report/u1?limit=0", "limit")]
    [InlineData("/report/u1?from=yesterday", "from")]
    [InlineData("/report/u1?before=xyz", "before")]
    [InlineData("/messages/not-a-guid", "id")]
    public async Task Bad_report_queries_are_400(string url, string field)
    {
        var response = await _client.GetAsync(url);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _));
    }

    [Fact(Timeout = 30_000)]
    public async Task Unknown_message_is_404() =>
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetAsync($"/messages/{Guid.CreateVersion7()}")).StatusCode);
}
