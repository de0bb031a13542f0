using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace SmsGateway.Tests.FullStack;

/// <summary>
/// Keys in PostgreSQL and limits in Redis, shared by two gateway processes (two hosts on one stack): a key issued on one
/// works on the other, a revocation reaches the other within 5 s, and the per-day message limit counts on both.
/// </summary>
[Collection(FullStackCollection.Name)]
public sealed class AccessStackTests(StackFixture stack)
{
    private static StringContent SendBody() =>
        new("""{"phone":"09121234567","text":"hi","type":"normal"}""", Encoding.UTF8, "application/json");

    private static HttpClient As(FullStackHost host, string? token)
    {
        var client = host.CreateClient();
        client.DefaultRequestHeaders.Authorization = token is null ? null : new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    [Fact(Timeout = 90_000)]
    public async Task Keys_and_limits_are_shared_by_every_gateway()
    {
        var db = await stack.Postgres.CreateDatabaseAsync("access");
        var settings = HostSettings.Create(stack, db).Nats(stack.Nats);
        await using var first = settings.Build();
        await using var second = settings.Build();
        var admin = first.CreateClient();

        Assert.Equal(HttpStatusCode.Unauthorized, (await As(second, null).GetAsync("/balance/fs1")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await As(second, "a-wrong-key-of-some-length").GetAsync("/balance/fs1")).StatusCode);

        var issued = await (await admin.PostAsync("/accounts/fs1/keys", null)).Content.ReadFromJsonAsync<JsonElement>();
        var key = issued.GetProperty("api_key").GetString()!;
        var keyId = issued.GetProperty("key_id").GetString()!;
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync("/charge/fs1?amount=1000000", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync("/accounts/fs1/limits", new { messages_per_day = 3 })).StatusCode);

        var onFirst = As(first, key);
        var onSecond = As(second, key);
        Assert.Equal(HttpStatusCode.OK, (await onSecond.GetAsync("/balance/fs1")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await onSecond.GetAsync("/balance/fs2")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await onSecond.PostAsync("/charge/fs1?amount=1", null)).StatusCode);

        Assert.Equal(HttpStatusCode.Accepted, (await onFirst.PostAsync("/send", SendBody())).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await onSecond.PostAsync("/send", SendBody())).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await onFirst.PostAsync("/send", SendBody())).StatusCode);
        var fourth = await onSecond.PostAsync("/send", SendBody());
        Assert.Equal(HttpStatusCode.TooManyRequests, fourth.StatusCode);
        Assert.NotNull(fourth.Headers.RetryAfter);
        Assert.Contains("messages-per-day", fourth.Headers.GetValues("RateLimit-Policy").Single(), StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/accounts/fs1/keys/{keyId}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await onFirst.GetAsync("/balance/fs1")).StatusCode);
        var revokedAt = DateTime.UtcNow;
        while ((await onSecond.GetAsync("/balance/fs1")).StatusCode != HttpStatusCode.Unauthorized)
        {
            Assert.True(DateTime.UtcNow - revokedAt < TimeSpan.FromSeconds(5), "the revocation did not reach the second gateway within 5 s");
            await Task.Delay(100);
        }
    }
}
