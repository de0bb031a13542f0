using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using static SmsGateway.Tests.EndToEnd.SeedApiTests;

namespace SmsGateway.Tests.EndToEnd.Access;

/// <summary>Per-account limits: defaults, admin overrides, 429 with Retry-After and RateLimit fields.</summary>
public sealed class LimitTests(SecuredGatewayFactory factory) : IClassFixture<SecuredGatewayFactory>
{
    private HttpClient Admin => factory.Client(SecuredGatewayFactory.AdminKey);

    [Fact(Timeout = 30_000)]
    public async Task Requests_per_second_override_gives_429_with_retry_after_and_ratelimit_fields()
    {
        var key = await AccessContractTests.IssueKeyAsync(Admin, "lim1");
        var put = await Admin.PutAsJsonAsync("/accounts/lim1/limits", new { requests_per_second = 2 });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var view = await put.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(2, view.GetProperty("requests_per_second").GetInt32());
        Assert.Equal(JsonValueKind.Null, view.GetProperty("override").GetProperty("messages_per_day").ValueKind);
        var client = factory.Client(key);

        var statuses = new List<HttpResponseMessage>();
        for (var i = 0; i < 4; i++)
        {
            statuses.Add(await client.GetAsync("/balance/lim1"));
        }

        var first = statuses[0];
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.StartsWith("\"requests-per-second\";q=2;w=1", first.Headers.GetValues("RateLimit-Policy").Single(), StringComparison.Ordinal);
        Assert.Contains(statuses, r => r.StatusCode == HttpStatusCode.TooManyRequests);
        var limited = statuses.First(r => r.StatusCode == HttpStatusCode.TooManyRequests);
        Assert.True(limited.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        Assert.Contains(";r=0;", limited.Headers.GetValues("RateLimit").Single(), StringComparison.Ordinal);
        Assert.Equal("application/problem+json", limited.Content.Headers.ContentType?.MediaType);
    }

    [Fact(Timeout = 30_000)]
    public async Task An_override_set_after_the_account_was_seen_takes_effect_on_its_next_request()
    {
        var key = await AccessContractTests.IssueKeyAsync(Admin, "lim4");
        var client = factory.Client(key);
        var before = await client.GetAsync("/balance/lim4");
        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.DoesNotContain(";q=1;", before.Headers.GetValues("RateLimit-Policy").Single(), StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.OK, (await Admin.PutAsJsonAsync("/accounts/lim4/limits", new { requests_per_second = 1 })).StatusCode);
        var after = new List<HttpResponseMessage>();
        for (var i = 0; i < 3; i++)
        {
            after.Add(await client.GetAsync("/balance/lim4"));
        }

        Assert.All(after, r => Assert.StartsWith("\"requests-per-second\";q=1;w=1", r.Headers.GetValues("RateLimit-Policy").Single(), StringComparison.Ordinal));
        Assert.Contains(after, r => r.StatusCode == HttpStatusCode.TooManyRequests);
    }

    [Fact(Timeout = 30_000)]
    public async Task Messages_per_day_override_refuses_the_next_message_and_charges_nothing()
    {
        var key = await AccessContractTests.IssueKeyAsync(Admin, "lim2");
        await Admin.PostAsync("/charge/lim2?amount=100000", null);
        Assert.Equal(HttpStatusCode.OK, (await Admin.PutAsJsonAsync("/accounts/lim2/limits", new { messages_per_day = 2 })).StatusCode);
        var client = factory.Client(key);
        var body = """{"phone":"09121234567","text":"hi","type":"normal"}""";

        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync("/send", Json(body))).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync("/send", Json(body))).StatusCode);
        var before = await Admin.GetFromJsonAsync<JsonElement>("/balance/lim2");
        var third = await client.PostAsync("/send", Json(body));

        Assert.Equal(HttpStatusCode.TooManyRequests, third.StatusCode);
        Assert.StartsWith("\"messages-per-day\";q=2;w=86400", third.Headers.GetValues("RateLimit-Policy").Single(), StringComparison.Ordinal);
        Assert.True(third.Headers.RetryAfter?.Delta > TimeSpan.FromHours(1));
        var after = await Admin.GetFromJsonAsync<JsonElement>("/balance/lim2");
        Assert.Equal(before.GetProperty("available").GetInt64() + before.GetProperty("reserved").GetInt64(),
            after.GetProperty("available").GetInt64() + after.GetProperty("reserved").GetInt64() + after.GetProperty("spent").GetInt64() - before.GetProperty("spent").GetInt64());
    }

    [Fact(Timeout = 30_000)]
    public async Task Invalid_overrides_are_400_naming_the_field_and_admins_are_not_limited()
    {
        var bad = await Admin.PutAsJsonAsync("/accounts/lim3/limits", new { messages_per_second = 0 });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.True((await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("messages_per_second", out _));

        Assert.Equal(HttpStatusCode.OK, (await Admin.PutAsJsonAsync("/accounts/lim3/limits", new { requests_per_second = 1 })).StatusCode);
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await Admin.GetAsync("/balance/lim3")).StatusCode);
        }
    }
}
