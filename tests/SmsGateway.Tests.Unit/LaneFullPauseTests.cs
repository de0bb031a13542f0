using SmsGateway.Accept;
using SmsGateway.Billing;
using SmsGateway.Routing;

namespace SmsGateway.Tests.Unit;

/// <summary>
/// How long a message that found its operator's lane full waits before it is delivered again: about the time the lane
/// needs to send half of what it holds (docs/architecture.md "Message frames").
/// </summary>
public sealed class LaneFullPauseTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact(Timeout = 30_000)]
    public async Task Messages_handed_back_by_a_lane_that_sends_come_back_when_it_has_room_not_after_the_full_lane_delay()
    {
        // One send at a time, 5 ms each, a lane of 1, one message per frame and no wait for room: most messages find the
        // lane full and are nak'ed, about 20 rounds of two sent each. The lane sends, so each round's messages come back
        // within about a window (100 ms). LaneFullDelay (8 s here) is the pause of a lane that does not send: had this
        // lane been given it every round, the third round would come after the 20 s this test waits. (A lane that makes
        // no send for 200 ms, as a cold process can, reads as not sending, so one or two rounds may still get it.)
        var operators = new SlowOperator(TimeSpan.FromMilliseconds(5));
        var ledger = new InMemoryBalanceLedger();
        var options = new PipelineOptions { LaneCapacity = 1, LaneRoomWait = TimeSpan.Zero, LaneFullDelay = TimeSpan.FromSeconds(8), MessageFrameSize = 1 };
        await using var pipeline = new SmsPipelineBuilder().WithOptions(options).WithLedger(ledger).WithOperatorClient(operators)
            .WithOperatorTable(OperatorTable.Parse(DispatchLaneTests.Table(mciConcurrency: 1, mciRate: 0))).Build();
        using var redelivered = new CounterTotal(pipeline.Metrics.Meter, "sms.redeliveries");
        await pipeline.StartAsync(PipelineRoles.All, None);
        await ledger.ChargeAsync("u1", 1_000_000, "c1", None);
        for (int i = 0; i < 5; i++) // warm: the first sends of a process are slow
        {
            var warm = await pipeline.SendAsync(new SendRequest($"0912999999{i}", "warm", "express", "u1"), None);
            await Eventually.WaitUntilAsync(() => operators.Sends(warm.Message!.Id) == 1, "a warm-up message sent");
        }

        var requests = Enumerable.Range(0, 40).Select(i => new SendRequest($"0912{i:D7}", "hi " + i, "express", "u1")).ToList();
        var results = await pipeline.SendBatchAsync(requests, Guid.NewGuid(), None);
        Assert.All(results, r => Assert.Equal(AcceptStatus.Queued, r.Status));

        await Eventually.WaitUntilAsync(() => results.All(r => operators.Sends(r.Message!.Id) == 1), "every message sent");

        Assert.True(redelivered.Value > 0, "no message was handed back: the test did not reach a full lane");
        Assert.Equal(new Balance("u1", 1_000_000 - 45, 0, 45), await ledger.GetBalanceAsync("u1", None)); // 1 per segment here
    }
}
