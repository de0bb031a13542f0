using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;

namespace SmsGateway.Tests.FullStack;

/// <summary>
/// Issue 12 item 5 through HTTP: while the broker or the ledger is unreachable, <c>/send</c> answers 503 with Retry-After
/// and "nothing was charged" within about a second (asserted with a generous 2 s: a functional contract, not a benchmark),
/// and accepts again by itself once the server is back.
/// </summary>
[Collection(FullStackCollection.Name)]
public sealed class FailFastStackTests(StackFixture stack)
{
    private const string Phone = "09121234567";
    private static readonly TimeSpan Answered = TimeSpan.FromSeconds(2);

    [Fact(Timeout = 90_000)]
    public async Task Nats_killed_send_answers_503_within_a_second_and_recovers_by_itself()
    {
        var nats = new NatsServer();
        await nats.StartAsync();
        try
        {
            var db = await stack.Postgres.CreateDatabaseAsync("ffnats");
            await using var host = HostSettings.Create(stack, db).Nats(nats).Build();
            var api = new GatewayApi(host.CreateClient());
            await api.ChargeAsync("ffn", 10_000_000);
            await WaitForAcceptedAsync(api, "ffn", TimeSpan.FromSeconds(30)); // a cold host's first requests may pass the accept deadline

            await nats.KillAsync();
            for (var i = 0; i < 8; i++)
            {
                await AssertFastUnavailableAsync(api.Client, "ffn");
            }

            await nats.StartAsync();
            await WaitForAcceptedAsync(api, "ffn", TimeSpan.FromSeconds(30));
            var balance = await api.BalanceAsync("ffn");
            Assert.Equal(10_000_000, balance.Total);
        }
        finally
        {
            await nats.DisposeAsync();
        }
    }

    [Fact(Timeout = 90_000)]
    public async Task Ledger_frozen_send_answers_503_within_a_second_and_recovers_by_itself()
    {
        await using var ledger = await RedisServer.StartAsync();
        var db = await stack.Postgres.CreateDatabaseAsync("ffledger");
        await using var host = HostSettings.Create(stack, db).Nats(stack.Nats).With("Redis:LedgerEndpoint", ledger.Endpoint)
            .With("Redis:OperationTimeoutMs", "500").Build(); // the default call limit, which the 2 s answer below relies on
        var api = new GatewayApi(host.CreateClient());
        await api.ChargeAsync("ffl", 10_000_000);
        await WaitForAcceptedAsync(api, "ffl", TimeSpan.FromSeconds(30)); // a cold host's first requests may pass the accept deadline

        ledger.Freeze(); // SIGSTOP: connections stay open and nothing answers
        for (var i = 0; i < 8; i++)
        {
            await AssertFastUnavailableAsync(api.Client, "ffl");
        }

        ledger.Thaw();
        await WaitForAcceptedAsync(api, "ffl", TimeSpan.FromSeconds(30));
        Assert.Equal(10_000_000, (await api.BalanceAsync("ffl")).Total);
    }

    private static async Task AssertFastUnavailableAsync(HttpClient client, string user)
    {
        var json = JsonSerializer.Serialize(new Dictionary<string, string> { ["phone"] = Phone, ["text"] = "down", ["type"] = "express", ["user_id"] = user });
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        var clock = Stopwatch.StartNew();
        using var response = await client.PostAsync("/send", content);
        clock.Stop();
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"{(int)response.StatusCode} {body}");
        Assert.True(clock.Elapsed < Answered, $"503 after {clock.ElapsedMilliseconds} ms");
        Assert.NotNull(response.Headers.RetryAfter);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("nothing was charged", body, StringComparison.Ordinal);
    }

    private static async Task WaitForAcceptedAsync(GatewayApi api, string user, TimeSpan within)
    {
        var clock = Stopwatch.StartNew();
        HttpStatusCode last = 0;
        var answers = new Dictionary<string, int>(StringComparer.Ordinal);
        while (clock.Elapsed < within)
        {
            (last, var body) = await api.SendAsync(user, Phone, "back", "express");
            if (last == HttpStatusCode.Accepted)
            {
                return;
            }

            var detail = body.ValueKind == JsonValueKind.Object && body.TryGetProperty("detail", out var d) ? d.GetString() : body.ToString();
            var answer = $"{(int)last} {detail}";
            answers[answer] = answers.GetValueOrDefault(answer) + 1;
            await Task.Delay(250);
        }

        Assert.Fail($"/send did not accept again within {within.TotalSeconds} s of the server's return; answers: "
            + string.Join("; ", answers.Select(a => $"{a.Value} × {a.Key}")));
    }
}
