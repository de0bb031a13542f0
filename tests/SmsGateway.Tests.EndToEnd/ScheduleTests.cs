using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Xunit.Abstractions;
using static SmsGateway.Tests.EndToEnd.ScheduleTestKit;

namespace SmsGateway.Tests.EndToEnd;

/// <summary><c>send_at</c> and <c>validity_period</c> on <c>/send</c>, embedded profile, through HTTP.</summary>
public sealed class ScheduleTests(ITestOutputHelper output)
{
    [Fact(Timeout = 60_000)]
    public async Task A_scheduled_message_is_reserved_shows_scheduled_and_is_sent_once_when_due()
    {
        await using var kit = new ScheduleTestKit();
        await kit.Client.PostAsync("/charge/s1?amount=100000", null);
        var sendAt = DateTimeOffset.UtcNow.AddSeconds(2);

        var (code, body) = await kit.SendAsync("s1", "09121234567", $$""","send_at":"{{At(sendAt.ToOffset(TimeSpan.FromHours(3.5)))}}" """);

        Assert.Equal(HttpStatusCode.Accepted, code);
        Assert.Equal("scheduled", body.GetProperty("status").GetString());
        var id = body.GetProperty("id").GetString()!;
        long cost = body.GetProperty("cost").GetInt64();
        Assert.Equal(cost, (await kit.BalanceAsync("s1")).GetProperty("reserved").GetInt64());
        await SeedApiTests.WaitForStatusAsync(kit.Client, id, "scheduled");
        Assert.False(kit.Sends().ContainsKey(Guid.Parse(id).ToString("N")), "sent before its send_at");

        var message = await SeedApiTests.WaitForStatusAsync(kit.Client, id, "sent");
        var history = message.GetProperty("history").EnumerateArray().Select(h => (h.GetProperty("status").GetString(), h.GetProperty("at").GetDateTimeOffset())).ToList();
        Assert.Equal(["scheduled", "queued", "sent"], history.Select(h => h.Item1));
        Assert.True(history[^1].Item2 >= sendAt, $"sent at {history[^1].Item2:o}, before send_at {sendAt:o}");
        Assert.Equal((1, 1), kit.Sends()[Guid.Parse(id).ToString("N")]);
        var balance = await kit.AssertSettledAsync("s1", 100000);
        Assert.Equal(cost, balance.GetProperty("spent").GetInt64());
    }

    [Theory]
    [InlineData(""","send_at":"2026-12-01T10:00:00" """, "send_at")]
    [InlineData(""","send_at":"tomorrow" """, "send_at")]
    [InlineData(""","send_at":1764583200""", "send_at")]
    [InlineData(""","send_at":"2001-01-01T00:00:00Z" """, "send_at")]
    [InlineData(""","send_at":"2099-01-01T00:00:00Z" """, "send_at")]
    [InlineData(""","validity_period":0""", "validity_period")]
    [InlineData(""","validity_period":259201""", "validity_period")]
    [InlineData(""","validity_period":"60" """, "validity_period")]
    [InlineData(""","validity_period":60.5""", "validity_period")]
    public async Task A_bad_send_at_or_validity_period_is_a_400_naming_it_and_charges_nothing(string extra, string field)
    {
        await using var kit = new ScheduleTestKit();
        await kit.Client.PostAsync("/charge/s2?amount=100000", null);
        var response = await kit.Client.PostAsync("/send", SeedApiTests.Json("""{"phone":"09121234567","text":"x","type":"normal","user_id":"s2" """ + extra + "}"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        Assert.Equal(100000, (await kit.BalanceAsync("s2")).GetProperty("available").GetInt64());
    }

    [Fact(Timeout = 90_000)]
    public async Task Messages_whose_validity_passes_in_a_backlog_expire_refunded_and_unsent()
    {
        // MCI sends 4 per second: of 24 messages valid 1 s, the first few are sent, the rest expire in the lane.
        await using var kit = new ScheduleTestKit(mciRatePerSecond: 4);
        await kit.Client.PostAsync("/charge/s3?amount=1000000", null);
        var ids = new List<string>();
        for (int i = 0; i < 24; i++)
        {
            var (code, body) = await kit.SendAsync("s3", "09121234567", ""","validity_period":1""", type: "normal");
            Assert.Equal(HttpStatusCode.Accepted, code);
            ids.Add(body.GetProperty("id").GetString()!);
        }

        var finals = new Dictionary<string, string>();
        foreach (var id in ids)
        {
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (true)
            {
                // 404 until the reporter stored the message's first status event (the status path is asynchronous).
                using var response = await kit.Client.GetAsync($"/messages/{id}");
                var status = response.StatusCode == HttpStatusCode.NotFound
                    ? "not stored yet"
                    : (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("message").GetProperty("status").GetString()!;
                if (status is "sent" or "expired")
                {
                    finals[id] = status;
                    break;
                }

                Assert.True(DateTime.UtcNow < deadline, $"{id} stuck at {status}");
                await Task.Delay(50);
            }
        }

        var sends = kit.Sends();
        foreach (var (id, status) in finals)
        {
            var key = Guid.Parse(id).ToString("N");
            Assert.Equal(status == "sent" ? 1 : 0, sends.GetValueOrDefault(key).All);
        }

        int sent = finals.Values.Count(s => s == "sent"), expired = finals.Values.Count(s => s == "expired");
        Assert.True(sent >= 1 && expired >= 1, $"sent {sent}, expired {expired}");
        var balance = await kit.AssertSettledAsync("s3", 1000000);
        Assert.Equal(sent * 1150L, balance.GetProperty("spent").GetInt64());
        var report = await kit.Client.GetFromJsonAsync<JsonElement>("/report/s3");
        Assert.Equal(expired, report.GetProperty("counts").GetProperty("expired").GetInt64());
    }

    /// <summary>
    /// Time from send_at to the sent status, 200 messages due within one second. Prints p50/p99; asserts only that every
    /// message was sent once and none before its send_at (no timing budget in tests).
    /// </summary>
    [Fact(Timeout = 120_000)]
    public async Task Send_at_to_sent_latency_over_200_scheduled_messages()
    {
        await using var kit = new ScheduleTestKit();
        await kit.Client.PostAsync("/charge/s4?amount=100000000", null);
        var now = DateTimeOffset.UtcNow;
        var start = now.AddSeconds(3).AddTicks(-(now.Ticks % TimeSpan.TicksPerMillisecond)); // send_at is sent in whole ms
        var sendAts = new Dictionary<string, DateTimeOffset>();
        await Parallel.ForEachAsync(Enumerable.Range(0, 200), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
        {
            var at = start.AddMilliseconds(i * 5);
            var (code, body) = await kit.SendAsync("s4", "09351234567", $$""","send_at":"{{At(at)}}" """);
            Assert.Equal(HttpStatusCode.Accepted, code);
            lock (sendAts)
            {
                sendAts[body.GetProperty("id").GetString()!] = at;
            }
        });

        var latencies = new List<double>();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (latencies.Count < sendAts.Count)
        {
            Assert.True(DateTime.UtcNow < deadline, $"only {latencies.Count} of {sendAts.Count} sent");
            await Task.Delay(200);
            var report = await kit.Client.GetFromJsonAsync<JsonElement>("/report/s4?status=sent&limit=1000");
            latencies = [.. report.GetProperty("messages").EnumerateArray()
                .Select(m => (m.GetProperty("updated_at").GetDateTimeOffset() - sendAts[m.GetProperty("id").GetString()!]).TotalMilliseconds)];
        }

        latencies.Sort();
        Assert.True(latencies[0] >= 0, $"a message was sent {-latencies[0]:F0} ms before its send_at");
        Assert.All(kit.Sends().Values, s => Assert.Equal((1, 1), s));
        output.WriteLine($"send_at -> sent over {latencies.Count} messages (embedded, poll 20 ms): p50 {latencies[latencies.Count / 2]:F1} ms, " +
            $"p99 {latencies[(int)(latencies.Count * 0.99)]:F1} ms, max {latencies[^1]:F1} ms");
        await kit.AssertSettledAsync("s4", 100000000);
    }
}
