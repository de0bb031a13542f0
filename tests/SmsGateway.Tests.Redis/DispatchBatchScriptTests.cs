using SmsGateway.Billing;
using SmsGateway.Testing;

namespace SmsGateway.Tests.Redis;

/// <summary>ledger-begin-send.lua (batched) and ledger-settle-many.lua on a real Redis: mixed states in one call, idempotency.</summary>
[Collection(RedisCollection.Name)]
public sealed class DispatchBatchScriptTests(RedisServersFixture fixture) : LedgerTestBase(fixture)
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact(Timeout = 30_000)]
    public async Task Begin_send_many_answers_each_state_of_a_mixed_batch_of_two_users_in_one_call()
    {
        string u = "u" + Guid.NewGuid().ToString("N"), v = "v" + Guid.NewGuid().ToString("N");
        Guid reserved = Guid.NewGuid(), captured = Guid.NewGuid(), refunded = Guid.NewGuid(), started = Guid.NewGuid(), other = Guid.NewGuid();
        await Ledger.ChargeAsync(u, 1_000, "c", None);
        await Ledger.ChargeAsync(v, 1_000, "c", None);
        await Ledger.ReserveAsync(u, [new(reserved, 10), new(captured, 20), new(refunded, 30), new(started, 40)], 1, None);
        await Ledger.ReserveAsync(v, [new(other, 50)], 1, None);
        await Ledger.BeginSendAsync(u, captured, 1, None);
        await Ledger.CaptureAsync(u, captured, "smsc-1", None);
        await Ledger.RefundAsync(u, refunded, None);
        await Ledger.BeginSendAsync(u, started, 2, None);
        long evalsBefore = await EvalCallsAsync();

        var results = await Ledger.BeginSendManyAsync(
        [
            new(u, reserved, 1), new(u, captured, 1), new(u, refunded, 1), new(u, started, 2), new(u, Guid.NewGuid(), 1),
            new(v, other, 3), new(u, reserved, 1), new(u, started, 1),
        ], None);

        Assert.Equal(1, await EvalCallsAsync() - evalsBefore); // one script call for the whole batch
        Assert.Equal(
        [
            new BeginSendResult(BeginSendOutcome.Send), new BeginSendResult(BeginSendOutcome.AlreadyCaptured, "smsc-1", 1),
            new BeginSendResult(BeginSendOutcome.Refunded), new BeginSendResult(BeginSendOutcome.AttemptStarted, null, 2),
            new BeginSendResult(BeginSendOutcome.NotReserved), new BeginSendResult(BeginSendOutcome.Send),
            new BeginSendResult(BeginSendOutcome.AttemptStarted, null, 1), // the same item again in one call sees the first's mark
            new BeginSendResult(BeginSendOutcome.Superseded, null, 2), // attempt 1 of a message whose attempt 2 started: stale
        ], results.Select(r => r with { StartedAgo = null }));
        Assert.All([results[3], results[6]], r => Assert.InRange(r.StartedAgo!.Value.TotalMilliseconds, 0, 10_000)); // started this run
        Assert.All(results.Where(r => r.Outcome != BeginSendOutcome.AttemptStarted), r => Assert.Null(r.StartedAgo));
        Assert.Equal(("1", "1"), (await Field(u, reserved, "n"), await Field(u, reserved, "k")));
        Assert.Equal(("3", "1"), (await Field(v, other, "n"), await Field(v, other, "k")));
        Assert.Equal(string.Empty, await Field(u, refunded, "n")); // a refunded message is never marked as sending
        Assert.Equal(CancelOutcome.SendingStarted, await Ledger.CancelAsync(v, other, None));
        var balance = await Ledger.GetBalanceAsync(u, None);
        Assert.Equal((930L, 50L, 20L), (balance.Available, balance.Reserved, balance.Spent)); // begin-send moves no money
    }

    [Fact(Timeout = 30_000)]
    public async Task Settle_many_captures_and_refunds_a_mixed_batch_once_and_repeats_change_nothing()
    {
        string u = "u" + Guid.NewGuid().ToString("N"), v = "v" + Guid.NewGuid().ToString("N");
        Guid a = Guid.NewGuid(), b = Guid.NewGuid(), c = Guid.NewGuid(), d = Guid.NewGuid(), e = Guid.NewGuid();
        await Ledger.ChargeAsync(u, 1_000, "c", None);
        await Ledger.ChargeAsync(v, 500, "c", None);
        await Ledger.ReserveAsync(u, [new(a, 100), new(b, 200), new(c, 300)], 1, None);
        await Ledger.ReserveAsync(v, [new(d, 50), new(e, 70)], 1, None);
        await Ledger.CaptureAsync(u, c, None);
        Assert.NotNull(await PendingScore(v, d)); // reserved, not confirmed: in the pending index

        SettleRequest[] batch =
        [
            new(u, a, SettleKind.Capture, "smsc-a"), new(u, b, SettleKind.Refund), new(u, c, SettleKind.Capture, "late"),
            new(v, d, SettleKind.Refund), new(v, e, SettleKind.Capture), new(u, Guid.NewGuid(), SettleKind.Capture),
            new(u, a, SettleKind.Refund),
        ];
        long evalsBefore = await EvalCallsAsync();
        Assert.Equal(
            [SettleOutcome.Settled, SettleOutcome.Settled, SettleOutcome.AlreadySettled, SettleOutcome.Settled, SettleOutcome.Settled,
             SettleOutcome.NotReserved, SettleOutcome.SettledOtherwise],
            await Ledger.SettleManyAsync(batch, None));
        Assert.Equal(1, await EvalCallsAsync() - evalsBefore);

        // The same call again, as after an answer lost in a ledger stall: nothing moves.
        Assert.Equal(
            [SettleOutcome.AlreadySettled, SettleOutcome.AlreadySettled, SettleOutcome.AlreadySettled, SettleOutcome.AlreadySettled,
             SettleOutcome.AlreadySettled, SettleOutcome.NotReserved, SettleOutcome.SettledOtherwise],
            await Ledger.SettleManyAsync(batch, None));

        var bu = await Ledger.GetBalanceAsync(u, None);
        var bv = await Ledger.GetBalanceAsync(v, None);
        Assert.Equal((600L, 0L, 400L), (bu.Available, bu.Reserved, bu.Spent));
        Assert.Equal((430L, 0L, 70L), (bv.Available, bv.Reserved, bv.Spent));
        Assert.Equal(("smsc-a", "C"), (await Field(u, a, "o"), await Field(u, a, "s")));
        Assert.Equal(string.Empty, await Field(u, c, "o")); // captured earlier: the repeat's id is not kept
        Assert.Equal(string.Empty, await Field(v, e, "o")); // no operator id given
        Assert.Equal("F", await Field(v, d, "s"));
        Assert.Null(await PendingScore(v, d)); // settled: out of the pending index
        Assert.InRange(long.Parse(await RedisCli.RunAsync(Fixture.Servers[0].Port, "TTL", ReservationKey(u, a)), System.Globalization.CultureInfo.InvariantCulture),
            1, Options.SettledReservationTtlSeconds);
        Assert.Equal(new BeginSendResult(BeginSendOutcome.AlreadyCaptured, "smsc-a"), await Ledger.BeginSendAsync(u, a, 1, None));
    }

    [Fact(Timeout = 60_000)]
    public async Task A_batch_larger_than_one_script_call_is_split_and_answered_in_order()
    {
        string u = "u" + Guid.NewGuid().ToString("N");
        var ids = Enumerable.Range(0, 2_500).Select(_ => Guid.NewGuid()).ToArray();
        await Ledger.ChargeAsync(u, 1_000_000, "c", None);
        await Ledger.ReserveAsync(u, [.. ids.Take(2_000).Select(id => new Reservation(id, 1))], 1, None); // the last 500 never reserved

        var begun = await Ledger.BeginSendManyAsync([.. ids.Select(id => new BeginSendRequest(u, id, 1))], None);
        Assert.Equal(Enumerable.Repeat(BeginSendOutcome.Send, 2_000).Concat(Enumerable.Repeat(BeginSendOutcome.NotReserved, 500)), begun.Select(r => r.Outcome));
        var settled = await Ledger.SettleManyAsync([.. ids.Select((id, i) => new SettleRequest(u, id, i % 2 == 0 ? SettleKind.Capture : SettleKind.Refund))], None);
        Assert.Equal(ids.Select((_, i) => i < 2_000 ? SettleOutcome.Settled : SettleOutcome.NotReserved), settled);
        var balance = await Ledger.GetBalanceAsync(u, None);
        Assert.Equal((1_000_000L - 1_000, 0L, 1_000L), (balance.Available, balance.Reserved, balance.Spent));
    }

    [Fact(Timeout = 30_000)]
    public async Task Confirm_many_confirms_messages_of_two_users_in_one_call_as_the_single_call_would()
    {
        string u = "u" + Guid.NewGuid().ToString("N"), v = "v" + Guid.NewGuid().ToString("N");
        Guid a = Guid.NewGuid(), b = Guid.NewGuid(), c = Guid.NewGuid();
        await Ledger.ChargeAsync(u, 1_000, "c", None);
        await Ledger.ChargeAsync(v, 1_000, "c", None);
        await Ledger.ReserveAsync(u, [new(a, 10), new(b, 20)], 1, None);
        await Ledger.ReserveAsync(v, [new(c, 30)], 1, None);
        await Ledger.CaptureAsync(u, b, None);
        long evalsBefore = await EvalCallsAsync();

        var outcomes = await Ledger.ConfirmManyAsync([new(u, a), new(v, c), new(u, b), new(v, Guid.NewGuid()), new(u, a)], None);

        Assert.Equal(1, await EvalCallsAsync() - evalsBefore);
        Assert.Equal([ConfirmOutcome.Confirmed, ConfirmOutcome.Confirmed, ConfirmOutcome.AlreadySettled, ConfirmOutcome.NotReserved, ConfirmOutcome.Confirmed], outcomes);
        Assert.Equal(("1", "1"), (await Field(u, a, "k"), await Field(v, c, "k")));
        Assert.Equal(string.Empty, await Field(u, b, "k")); // captured before: nothing to confirm
        Assert.Null(await PendingScore(u, a));
        Assert.Null(await PendingScore(v, c));
        var bu = await Ledger.GetBalanceAsync(u, None);
        Assert.Equal((970L, 10L, 20L), (bu.Available, bu.Reserved, bu.Spent)); // a confirm moves no money
    }

    [Fact(Timeout = 30_000)]
    public async Task Settling_a_users_batch_costs_three_commands_per_message_and_a_few_per_call()
    {
        // 64 captures of one user and 64 refunds of another in one call: per message one HMGET, one HSET and one EXPIRE; per
        // call one ZREM and at most two HINCRBY per user (docs/architecture.md, "Money and locks"). Item by item it was eight.
        string u = "u" + Guid.NewGuid().ToString("N"), v = "v" + Guid.NewGuid().ToString("N");
        var mine = Enumerable.Range(0, 64).Select(_ => Guid.NewGuid()).ToArray();
        var theirs = Enumerable.Range(0, 64).Select(_ => Guid.NewGuid()).ToArray();
        await Ledger.ChargeAsync(u, 10_000, "c", None);
        await Ledger.ChargeAsync(v, 10_000, "c", None);
        await Ledger.ReserveAsync(u, [.. mine.Select(id => new Reservation(id, 7))], 1, None);
        await Ledger.ReserveAsync(v, [.. theirs.Select(id => new Reservation(id, 5))], 1, None);
        SettleRequest[] batch = [.. mine.Select(id => new SettleRequest(u, id, SettleKind.Capture, "smsc")), .. theirs.Select(id => new SettleRequest(v, id, SettleKind.Refund))];

        var before = await CommandCallsAsync();
        var outcomes = await Ledger.SettleManyAsync(batch, None);
        var after = await CommandCallsAsync();

        Assert.All(outcomes, o => Assert.Equal(SettleOutcome.Settled, o));
        long Calls(string command) => after.GetValueOrDefault(command) - before.GetValueOrDefault(command);
        Assert.Equal(1, Calls("evalsha"));
        Assert.Equal((128L, 128L, 128L), (Calls("hmget"), Calls("hset"), Calls("expire")));
        Assert.Equal(1, Calls("zrem"));
        Assert.Equal(4, Calls("hincrby")); // reserved and spent of u, reserved and available of v
        Assert.Equal(0, Calls("hget"));
        var bu = await Ledger.GetBalanceAsync(u, None);
        var bv = await Ledger.GetBalanceAsync(v, None);
        Assert.Equal((10_000L - 448, 0L, 448L), (bu.Available, bu.Reserved, bu.Spent));
        Assert.Equal((10_000L, 0L, 0L), (bv.Available, bv.Reserved, bv.Spent));
    }

    private string ReservationKey(string user, Guid message) => Options.KeyPrefix + "ledger:{" + user + "}:r:" + message.ToString("N");

    private async Task<string> Field(string user, Guid message, string field) =>
        (await RedisCli.RunAsync(Fixture.Servers[0].Port, "HGET", ReservationKey(user, message), field)).Trim();

    private async Task<string?> PendingScore(string user, Guid message)
    {
        var score = (await RedisCli.RunAsync(Fixture.Servers[0].Port, "ZSCORE", Options.KeyPrefix + "ledger:pending", user + "|" + message.ToString("N"))).Trim();
        return score.Length == 0 ? null : score;
    }

    // EVAL + EVALSHA calls the server ran so far; other test classes use the same server, so this test class's collection
    // (RedisCollection, not parallel) keeps the difference its own.
    private async Task<long> EvalCallsAsync()
    {
        var calls = await CommandCallsAsync();
        return calls.GetValueOrDefault("evalsha") + calls.GetValueOrDefault("eval");
    }

    // Calls per command the server ran so far (INFO commandstats: "cmdstat_<name>:calls=N,..."), commands run inside
    // scripts included.
    private async Task<Dictionary<string, long>> CommandCallsAsync()
    {
        var calls = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var line in (await RedisCli.RunAsync(Fixture.Servers[0].Port, "INFO", "commandstats")).Split('\n'))
        {
            if (line.StartsWith("cmdstat_", StringComparison.Ordinal))
            {
                var parts = line.Trim().Split(':', 2);
                var field = parts[1].Split(',')[0]; // calls=N
                calls[parts[0]["cmdstat_".Length..]] = long.Parse(field["calls=".Length..], System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return calls;
    }
}
