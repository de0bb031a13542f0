using SmsGateway.Model;
using SmsGateway.Postgres;
using SmsGateway.Status;
using SmsGateway.Tests.Postgres.Fixtures;
using static SmsGateway.Tests.Postgres.Fixtures.Lifecycles;

namespace SmsGateway.Tests.Postgres;

[Collection(PostgresCollection.Name)]
public sealed class WriteTests(PostgresFixture fixture)
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact(Timeout = 30_000)]
    public async Task Same_batch_written_twice_leaves_one_row_per_event()
    {
        await using var db = await fixture.CreateMigratedAsync("wr_twice");
        var random = new Random(1);
        var batch = Enumerable.Range(0, 200)
            .SelectMany(i => Random(random, IdAt(Epoch.AddSeconds(i)), "u1", Epoch.AddSeconds(i)))
            .ToList();

        await db.Store.WriteBatchAsync(batch, None);
        await db.Store.WriteBatchAsync(batch, None);

        Assert.Equal((long)batch.Count, await db.ScalarAsync<long>("SELECT count(*) FROM status_events"));
        Assert.Equal(200L, await db.ScalarAsync<long>("SELECT count(*) FROM messages"));
        await AssertCurrentStatusesAsync(db, batch);
    }

    [Fact(Timeout = 30_000)]
    public async Task Duplicates_inside_one_batch_are_stored_once()
    {
        await using var db = await fixture.CreateMigratedAsync("wr_dup");
        var random = new Random(2);
        var events = Enumerable.Range(0, 100).SelectMany(i => Random(random, IdAt(Epoch.AddSeconds(i)), "u1", Epoch.AddSeconds(i))).ToList();
        var doubled = events.Concat(events).ToList();
        Shuffle(random, doubled);

        await db.Store.WriteBatchAsync(doubled, None);

        Assert.Equal((long)events.Count, await db.ScalarAsync<long>("SELECT count(*) FROM status_events"));
        await AssertCurrentStatusesAsync(db, events);
    }

    [Fact(Timeout = 30_000)]
    public async Task Replay_after_a_crash_between_commit_and_ack_leaves_one_row_per_event()
    {
        await using var db = await fixture.CreateMigratedAsync("wr_crash");
        var random = new Random(3);
        var events = Enumerable.Range(0, 300).SelectMany(i => Random(random, IdAt(Epoch.AddSeconds(i)), $"u{i % 3}", Epoch.AddSeconds(i))).ToList();
        var first = events.Take(events.Count / 2).ToList();
        var rest = events.Skip(events.Count / 2).ToList();

        // Process 1 commits the first batch and "crashes" before acking it: its store (and pool) is gone.
        await using (var crashed = new PostgresStatusStore(db.Options))
        {
            await crashed.WriteBatchAsync(first, None);
        }

        // Process 2 receives the unacked batch again, then the rest; the redelivered events also come mixed into later batches.
        await using var restarted = new PostgresStatusStore(db.Options);
        await restarted.WriteBatchAsync(first, None);
        await restarted.WriteBatchAsync(rest.Concat(first.Take(100)).ToList(), None);

        Assert.Equal((long)events.Count, await db.ScalarAsync<long>("SELECT count(*) FROM status_events"));
        Assert.Equal(0L, await db.ScalarAsync<long>(
            "SELECT count(*) FROM (SELECT message_id, status, attempt FROM status_events GROUP BY 1, 2, 3 HAVING count(*) > 1) d"));
        Assert.Equal(300L, await db.ScalarAsync<long>("SELECT count(*) FROM messages"));
        await AssertCurrentStatusesAsync(db, events);

        var one = events[0].MessageId;
        var history = await restarted.GetMessageAsync(one, null, None);
        Assert.NotNull(history);
        Assert.Equal(events.Where(e => e.MessageId == one).Select(e => (e.Status, e.Attempt, e.At)), history.Events.Select(e => (e.Status, e.Attempt, e.At)));
    }

    [Fact(Timeout = 30_000)]
    public async Task Out_of_order_events_give_the_greatest_attempt_then_status()
    {
        await using var db = await fixture.CreateMigratedAsync("wr_order");
        var accepted = Epoch;

        // Delivery receipt first, across separate batches, in reverse order.
        var a = IdAt(accepted);
        var aEvents = new[]
        {
            Event(a, "u", MessageStatus.Accepted, 0, accepted, accepted),
            Event(a, "u", MessageStatus.Queued, 0, accepted.AddMilliseconds(1), accepted),
            Event(a, "u", MessageStatus.Sending, 1, accepted.AddMilliseconds(2), accepted),
            Event(a, "u", MessageStatus.Sent, 1, accepted.AddMilliseconds(3), accepted),
            Event(a, "u", MessageStatus.Delivered, 1, accepted.AddMilliseconds(4), accepted),
        };
        foreach (var e in aEvents.Reverse())
        {
            await db.Store.WriteBatchAsync([e], None);
        }

        // Retries: attempt 2's sent arrives before attempt 1's retrying and attempt 2's sending (one batch).
        var b = IdAt(accepted.AddSeconds(1));
        var bAccepted = accepted.AddSeconds(1);
        var bEvents = new[]
        {
            Event(b, "u", MessageStatus.Sent, 2, bAccepted.AddMilliseconds(9), bAccepted),
            Event(b, "u", MessageStatus.Retrying, 1, bAccepted.AddMilliseconds(5), bAccepted, "timeout"),
            Event(b, "u", MessageStatus.Sending, 2, bAccepted.AddMilliseconds(7), bAccepted),
            Event(b, "u", MessageStatus.Sending, 1, bAccepted.AddMilliseconds(3), bAccepted),
        };
        await db.Store.WriteBatchAsync(bEvents, None);

        // A stale retrying event of attempt 3 arriving after the final failure of attempt 3 keeps "failed" and its error code.
        var c = IdAt(accepted.AddSeconds(2));
        var cAccepted = accepted.AddSeconds(2);
        await db.Store.WriteBatchAsync([Event(c, "u", MessageStatus.Failed, 3, cAccepted.AddMilliseconds(9), cAccepted, "retries_exhausted")], None);
        await db.Store.WriteBatchAsync([Event(c, "u", MessageStatus.Retrying, 3, cAccepted.AddMilliseconds(5), cAccepted, "timeout"), Event(c, "u", MessageStatus.Sending, 2, cAccepted.AddMilliseconds(3), cAccepted)], None);

        var ha = (await db.Store.GetMessageAsync(a, "u", None))!;
        Assert.Equal((MessageStatus.Delivered, 1, accepted.AddMilliseconds(4)), (ha.Message.Status, ha.Message.Attempt, ha.Message.UpdatedAt));
        Assert.Equal(aEvents.Select(e => e.Status), ha.Events.Select(e => e.Status)); // history oldest first
        Assert.Equal(aEvents[0] with { }, ha.Events[0]);

        var hb = (await db.Store.GetMessageAsync(b, "u", None))!;
        Assert.Equal((MessageStatus.Sent, 2, (string?)null), (hb.Message.Status, hb.Message.Attempt, hb.Message.ErrorCode));
        // Four stored events, oldest first, after the queued entry they imply (MessageHistory.Of: none was stored).
        Assert.Equal([MessageStatus.Queued, MessageStatus.Sending, MessageStatus.Retrying, MessageStatus.Sending, MessageStatus.Sent], hb.Events.Select(e => e.Status));
        Assert.Equal((bAccepted, 0), (hb.Events[0].At, hb.Events[0].Attempt));

        var hc = (await db.Store.GetMessageAsync(c, "u", None))!;
        Assert.Equal((MessageStatus.Failed, 3, "retries_exhausted"), (hc.Message.Status, hc.Message.Attempt, hc.Message.ErrorCode));
        Assert.Equal(cAccepted.AddMilliseconds(9), hc.Message.UpdatedAt);

        // Descriptive columns come from the events.
        Assert.Equal(("+989121234567", "MCI", MessageType.Express, SmsEncoding.Ucs2, 2, 240L, accepted),
            (ha.Message.Msisdn, ha.Message.Operator, ha.Message.Type, ha.Message.Encoding, ha.Message.Segments, ha.Message.Cost, ha.Message.AcceptedAt));
    }

    [Fact(Timeout = 60_000)]
    public async Task Concurrent_writers_with_overlapping_batches_do_not_deadlock_or_duplicate()
    {
        await using var db = await fixture.CreateMigratedAsync("wr_conc");
        var random = new Random(4);
        var events = Enumerable.Range(0, 2_000).SelectMany(i => Random(random, IdAt(Epoch.AddSeconds(i)), "u", Epoch.AddSeconds(i))).ToList();
        var copies = Enumerable.Range(0, 4).Select(k =>
        {
            var copy = events.ToList();
            Shuffle(new Random(100 + k), copy);
            return copy.Chunk(500).ToList();
        }).ToList();

        await Task.WhenAll(copies.Select(chunks => Task.Run(async () =>
        {
            foreach (var chunk in chunks)
            {
                await db.Store.WriteBatchAsync(chunk, None);
            }
        })));

        Assert.Equal((long)events.Count, await db.ScalarAsync<long>("SELECT count(*) FROM status_events"));
        await AssertCurrentStatusesAsync(db, events);
    }

    [Fact(Timeout = 30_000)]
    public async Task Empty_batch_is_a_no_op_and_invalid_events_are_rejected_before_any_write()
    {
        await using var db = await fixture.CreateMigratedAsync("wr_inval");
        await db.Store.WriteBatchAsync([], None);
        var good = Event(IdAt(Epoch), "u", MessageStatus.Accepted, 0, Epoch, Epoch);
        await Assert.ThrowsAsync<ArgumentException>(() => db.Store.WriteBatchAsync([good, good with { Attempt = -1 }], None).AsTask());
        await Assert.ThrowsAsync<ArgumentException>(() => db.Store.WriteBatchAsync([good with { Status = (MessageStatus)42 }], None).AsTask());
        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT count(*) FROM status_events"));
    }

    [Fact(Timeout = 30_000)]
    public async Task Unreachable_database_reports_StatusStoreUnavailableException()
    {
        var port = Testing.FreePort.Next();
        await using var store = new PostgresStatusStore(new PostgresOptions { ConnectionString = $"Host=127.0.0.1;Port={port};Username=postgres;Timeout=2" });
        var e = Event(IdAt(Epoch), "u", MessageStatus.Accepted, 0, Epoch, Epoch);
        await Assert.ThrowsAsync<StatusStoreUnavailableException>(() => store.WriteBatchAsync([e], None).AsTask());
        await Assert.ThrowsAsync<StatusStoreUnavailableException>(() => store.GetReportAsync(new ReportQuery("u"), None).AsTask());
        await Assert.ThrowsAsync<StatusStoreUnavailableException>(() => store.GetMessageAsync(e.MessageId, null, None).AsTask());
    }

    /// <summary>Each message's stored current status equals the last event of its (ordered) lifecycle.</summary>
    internal static async Task AssertCurrentStatusesAsync(TestDatabase db, IEnumerable<StatusEvent> events)
    {
        var expected = events.GroupBy(e => e.MessageId)
            .ToDictionary(g => g.Key, g => g.MaxBy(e => ((long)e.Attempt << 8) | (long)SmsGateway.Status.StatusPrecedence.Rank(e.Status))!);
        var actual = new Dictionary<Guid, (MessageStatus, int, DateTimeOffset, string?)>();
        await using var command = db.DataSource.CreateCommand("SELECT id, status, attempt, updated_at, error_code FROM messages");
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            actual[reader.GetGuid(0)] = ((MessageStatus)reader.GetInt16(1), reader.GetInt32(2), reader.GetFieldValue<DateTimeOffset>(3), reader.IsDBNull(4) ? null : reader.GetString(4));
        }

        Assert.Equal(expected.Count, actual.Count);
        foreach (var (id, e) in expected)
        {
            Assert.Equal((e.Status, e.Attempt, e.At, e.ErrorCode), actual[id]);
        }
    }
}
