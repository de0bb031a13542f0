using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using static SmsGateway.Tests.EndToEnd.ScheduleTestKit;

namespace SmsGateway.Tests.EndToEnd;

/// <summary><c>DELETE /messages/{id}</c>, embedded profile, through HTTP.</summary>
public sealed class CancelTests
{
    private static string Key(string id) => Guid.Parse(id).ToString("N");

    [Fact(Timeout = 60_000)]
    public async Task Canceling_a_scheduled_message_refunds_it_and_it_is_never_sent()
    {
        await using var kit = new ScheduleTestKit();
        await kit.Client.PostAsync("/charge/c1?amount=100000", null);
        var sendAt = DateTimeOffset.UtcNow.AddSeconds(2);
        var (_, body) = await kit.SendAsync("c1", "09121234567", $$""","send_at":"{{At(sendAt)}}" """);
        var id = body.GetProperty("id").GetString()!;

        var cancel = await kit.Client.DeleteAsync($"/messages/{id}");

        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        var answer = await cancel.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("canceled", answer.GetProperty("status").GetString());
        Assert.Equal(body.GetProperty("cost").GetInt64(), answer.GetProperty("refunded").GetInt64());
        await SeedApiTests.WaitForStatusAsync(kit.Client, id, "canceled");
        Assert.Equal(100000, (await kit.BalanceAsync("c1")).GetProperty("available").GetInt64());
        var again = await kit.Client.DeleteAsync($"/messages/{id}");
        Assert.Equal(HttpStatusCode.OK, again.StatusCode); // a repeat is answered the same, refunding nothing
        Assert.Equal(0, (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("refunded").GetInt64());

        await Task.Delay(sendAt - DateTimeOffset.UtcNow + TimeSpan.FromMilliseconds(500));
        Assert.False(kit.Sends().ContainsKey(Key(id)));
        Assert.Equal("canceled", (await kit.Client.GetFromJsonAsync<JsonElement>($"/messages/{id}")).GetProperty("message").GetProperty("status").GetString());
        await kit.AssertSettledAsync("c1", 100000);
    }

    [Fact(Timeout = 60_000)]
    public async Task Canceling_a_queued_message_in_a_backlog_refunds_it_and_it_is_never_sent()
    {
        await using var kit = new ScheduleTestKit(mciRatePerSecond: 2);
        await kit.Client.PostAsync("/charge/c2?amount=1000000", null);
        var ids = new List<string>();
        for (int i = 0; i < 12; i++)
        {
            ids.Add((await kit.SendAsync("c2", "09121234567", type: "normal")).Body.GetProperty("id").GetString()!);
        }

        var last = ids[^1];
        var cancel = await kit.CancelAsync(last);
        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        await SeedApiTests.WaitForStatusAsync(kit.Client, last, "canceled");

        foreach (var id in ids[..^1])
        {
            await SeedApiTests.WaitForStatusAsync(kit.Client, id, "sent");
        }

        await Task.Delay(300);
        Assert.False(kit.Sends().ContainsKey(Key(last)));
        var balance = await kit.AssertSettledAsync("c2", 1000000);
        Assert.Equal(11 * 1150L, balance.GetProperty("spent").GetInt64());
    }

    [Fact(Timeout = 60_000)]
    public async Task Cancel_after_sent_is_409_unknown_is_404_and_a_bad_id_is_400()
    {
        await using var kit = new ScheduleTestKit();
        await kit.Client.PostAsync("/charge/c3?amount=100000", null);
        var id = (await kit.SendAsync("c3", "09121234567")).Body.GetProperty("id").GetString()!;
        await SeedApiTests.WaitForStatusAsync(kit.Client, id, "sent");

        var late = await kit.Client.DeleteAsync($"/messages/{id}");
        Assert.Equal(HttpStatusCode.Conflict, late.StatusCode);
        Assert.Equal("/problems/sending-started", (await late.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("type").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await kit.Client.DeleteAsync($"/messages/{Guid.CreateVersion7()}")).StatusCode);
        var bad = await kit.Client.DeleteAsync("/messages/not-a-uuid");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.True((await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("id", out _));
        var balance = await kit.AssertSettledAsync("c3", 100000);
        Assert.Equal(1150, balance.GetProperty("spent").GetInt64());
    }

    [Fact(Timeout = 120_000)]
    public async Task Cancels_racing_sends_end_each_message_canceled_refunded_unsent_or_sent_captured()
    {
        // MCI at 150/s with a 20 ms simulator: of 150 messages, some are still queued when their cancel comes, some are not.
        await using var kit = new ScheduleTestKit(mciRatePerSecond: 150, new Dictionary<string, string> { ["Gateway:Simulator:LatencyMs"] = "20" });
        await kit.Client.PostAsync("/charge/c4?amount=100000000", null);
        var answers = new ConcurrentDictionary<string, HttpStatusCode>();
        await Parallel.ForEachAsync(Enumerable.Range(0, 150), new ParallelOptions { MaxDegreeOfParallelism = 12 }, async (i, _) =>
        {
            var (code, body) = await kit.SendAsync("c4", "09121234567", type: i % 2 == 0 ? "express" : "normal");
            Assert.Equal(HttpStatusCode.Accepted, code);
            var id = body.GetProperty("id").GetString()!;
            await Task.Delay(Random.Shared.Next(0, 40));
            answers[id] = (await kit.CancelAsync(id)).StatusCode;
        });

        var sends = new Dictionary<string, (int Accepted, int All)>();
        foreach (var (id, code) in answers)
        {
            Assert.True(code is HttpStatusCode.OK or HttpStatusCode.Conflict, $"{id}: {code}");
            var final = await SeedApiTests.WaitForStatusAsync(kit.Client, id, code == HttpStatusCode.OK ? "canceled" : "sent");
            Assert.NotNull(final.GetProperty("message").GetProperty("status").GetString());
        }

        await Task.Delay(300);
        sends = kit.Sends();
        foreach (var (id, code) in answers)
        {
            Assert.Equal(code == HttpStatusCode.OK ? (0, 0) : (1, 1), sends.GetValueOrDefault(Key(id)));
        }

        int canceled = answers.Values.Count(c => c == HttpStatusCode.OK);
        Assert.True(canceled > 0 && canceled < answers.Count, $"the race went one way only: {canceled} of {answers.Count} canceled");
        var balance = await kit.AssertSettledAsync("c4", 100000000);
        Assert.Equal((answers.Count - canceled) * 1150L, balance.GetProperty("spent").GetInt64());
    }
}
