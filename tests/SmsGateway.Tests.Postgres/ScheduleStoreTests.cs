using System.Collections.Concurrent;
using SmsGateway.Model;
using SmsGateway.Postgres.Scheduling;
using SmsGateway.Status;
using SmsGateway.Tests.Postgres.Fixtures;
using static SmsGateway.Tests.Postgres.Fixtures.Lifecycles;

namespace SmsGateway.Tests.Postgres;

/// <summary>The schedule store (migration 0200) and the status ranks of scheduled, expired and canceled.</summary>
[Collection(PostgresCollection.Name)]
public sealed class ScheduleStoreTests(PostgresFixture fixture)
{
    private static readonly CancellationToken None = CancellationToken.None;

    private static SmsMessage Message(DateTimeOffset acceptedAt, string user = "u1") =>
        new(IdAt(acceptedAt), user, "+989121234567", "سلام", MessageType.Normal, "MCI", SmsEncoding.Ucs2, 1, 1150, acceptedAt,
            CallbackUrl: "https://example.org/cb", ValidUntil: acceptedAt.AddHours(1));

    [Fact(Timeout = 30_000)]
    public async Task Due_messages_are_released_once_earliest_first_and_the_rest_wait()
    {
        await using var db = await fixture.CreateMigratedAsync("sch_due");
        var store = new PostgresScheduleStore(db.Store);
        var messages = Enumerable.Range(0, 5).Select(i => Message(Epoch.AddSeconds(i))).ToList();
        for (int i = 0; i < messages.Count; i++)
        {
            await store.AddAsync(messages[i], Epoch.AddMinutes(10 - i), None); // the last added is due first
            await store.AddAsync(messages[i], Epoch.AddMinutes(10 - i), None); // idempotent
        }

        var published = new List<SmsMessage>();
        var first = await store.ReleaseDueAsync(Epoch.AddMinutes(8), 10, 1, (batch, _) => { published.AddRange(batch); return ValueTask.CompletedTask; }, None);

        Assert.Equal(3, first.Released);
        Assert.Equal([messages[4].Id, messages[3].Id, messages[2].Id], published.Select(m => m.Id));
        Assert.Equal(messages[4], published[0]); // the whole message round-trips (text, callback, validity)
        var again = await store.ReleaseDueAsync(Epoch.AddMinutes(8), 10, 2, (batch, _) => { published.AddRange(batch); return ValueTask.CompletedTask; }, None);
        Assert.Equal(0, again.Released);
        Assert.True((await store.FindAsync(messages[4].Id, None))!.Released);
        Assert.False((await store.FindAsync(messages[0].Id, None))!.Released);
        Assert.Null(await store.FindAsync(Guid.CreateVersion7(), None));
    }

    [Fact(Timeout = 30_000)]
    public async Task Any_due_answers_whether_a_waiting_message_is_due_by_then()
    {
        await using var db = await fixture.CreateMigratedAsync("sch_any");
        var store = new PostgresScheduleStore(db.Store);
        Assert.False(await store.AnyDueAsync(Epoch.AddDays(1), None)); // empty

        var early = Message(Epoch);
        var late = Message(Epoch.AddSeconds(1));
        await store.AddAsync(early, Epoch.AddMinutes(5), None);
        await store.AddAsync(late, Epoch.AddMinutes(10), None);
        Assert.False(await store.AnyDueAsync(Epoch.AddMinutes(4), None));
        Assert.True(await store.AnyDueAsync(Epoch.AddMinutes(5), None)); // due at send_at itself

        Assert.Equal(1, (await store.ReleaseDueAsync(Epoch.AddMinutes(5), 10, 1, (_, _) => ValueTask.CompletedTask, None)).Released);
        Assert.False(await store.AnyDueAsync(Epoch.AddMinutes(9), None)); // released rows are not waiting
        Assert.True(await store.RemoveAsync(late.Id, None));
        Assert.False(await store.AnyDueAsync(Epoch.AddDays(1), None)); // nor are removed ones
    }

    [Fact(Timeout = 30_000)]
    public async Task A_failed_publish_leaves_the_batch_waiting_and_a_stale_fencing_token_releases_nothing()
    {
        await using var db = await fixture.CreateMigratedAsync("sch_fence");
        var store = new PostgresScheduleStore(db.Store);
        var m = Message(Epoch);
        await store.AddAsync(m, Epoch, None);
        Assert.Equal(0, (await store.ReleaseDueAsync(Epoch.AddDays(-1), 10, 5, (_, _) => ValueTask.CompletedTask, None)).Released); // records token 5

        await Assert.ThrowsAsync<InvalidOperationException>(async () =>
            await store.ReleaseDueAsync(Epoch, 10, 5, (_, _) => throw new InvalidOperationException("broker down"), None));
        Assert.False((await store.FindAsync(m.Id, None))!.Released);

        var stale = await store.ReleaseDueAsync(Epoch, 10, 4, (_, _) => throw new InvalidOperationException("must not publish"), None);
        Assert.True(stale.StaleFencingToken);
        Assert.Equal(0, stale.Released);

        var ok = await store.ReleaseDueAsync(Epoch, 10, 5, (_, _) => ValueTask.CompletedTask, None);
        Assert.Equal((1, false), (ok.Released, ok.StaleFencingToken));
    }

    [Fact(Timeout = 30_000)]
    public async Task Remove_wins_only_while_the_message_waits()
    {
        await using var db = await fixture.CreateMigratedAsync("sch_remove");
        var store = new PostgresScheduleStore(db.Store);
        var waiting = Message(Epoch);
        var released = Message(Epoch.AddSeconds(1));
        await store.AddAsync(waiting, Epoch.AddHours(1), None);
        await store.AddAsync(released, Epoch, None);
        await store.ReleaseDueAsync(Epoch, 10, 1, (_, _) => ValueTask.CompletedTask, None);

        Assert.True(await store.RemoveAsync(waiting.Id, None));
        Assert.False(await store.RemoveAsync(waiting.Id, None));
        Assert.False(await store.RemoveAsync(released.Id, None));
        Assert.Null(await store.FindAsync(waiting.Id, None));
        var nothing = await store.ReleaseDueAsync(Epoch.AddDays(1), 10, 2, (_, _) => ValueTask.CompletedTask, None);
        Assert.Equal(0, nothing.Released);
    }

    [Fact(Timeout = 60_000)]
    public async Task Concurrent_releasers_publish_each_message_exactly_once()
    {
        await using var db = await fixture.CreateMigratedAsync("sch_conc");
        var stores = Enumerable.Range(0, 4).Select(_ => new PostgresScheduleStore(db.Store)).ToArray();
        var messages = Enumerable.Range(0, 400).Select(i => Message(Epoch.AddMilliseconds(i))).ToList();
        foreach (var m in messages)
        {
            await stores[0].AddAsync(m, Epoch, None);
        }

        var counts = new ConcurrentDictionary<Guid, int>();
        long token = 0;
        await Task.WhenAll(stores.Select(s => Task.Run(async () =>
        {
            for (int i = 0; i < 30; i++)
            {
                await s.ReleaseDueAsync(Epoch, 17, Interlocked.Increment(ref token), async (batch, _) =>
                {
                    await Task.Delay(2);
                    foreach (var m in batch)
                    {
                        counts.AddOrUpdate(m.Id, 1, (_, n) => n + 1);
                    }
                }, None);
            }
        })));

        Assert.Equal(messages.Count, counts.Count);
        Assert.All(counts.Values, n => Assert.Equal(1, n));
        Assert.Equal(400L, await db.ScalarAsync<long>("SELECT count(*) FROM scheduled_messages WHERE released_at IS NOT NULL"));
    }

    [Fact(Timeout = 30_000)]
    public async Task Scheduled_then_queued_then_canceled_or_expired_are_stored_by_rank()
    {
        await using var db = await fixture.CreateMigratedAsync("sch_rank");
        Guid canceled = IdAt(Epoch), expired = IdAt(Epoch.AddSeconds(1)), queued = IdAt(Epoch.AddSeconds(2));
        // Out of order, across batches: the current status follows (attempt, rank), not the numeric value.
        await db.Store.WriteBatchAsync([Event(queued, "u1", MessageStatus.Queued, 0, Epoch.AddSeconds(3), Epoch),
            Event(canceled, "u1", MessageStatus.Canceled, 0, Epoch.AddSeconds(4), Epoch)], None);
        await db.Store.WriteBatchAsync([Event(queued, "u1", MessageStatus.Scheduled, 0, Epoch.AddSeconds(1), Epoch),
            Event(canceled, "u1", MessageStatus.Scheduled, 0, Epoch.AddSeconds(1), Epoch),
            Event(expired, "u1", MessageStatus.Scheduled, 0, Epoch.AddSeconds(1), Epoch),
            Event(expired, "u1", MessageStatus.Queued, 0, Epoch.AddSeconds(2), Epoch),
            Event(expired, "u1", MessageStatus.Expired, 1, Epoch.AddSeconds(5), Epoch, "validity_period")], None);

        Assert.Equal(MessageStatus.Queued, (await db.Store.GetMessageAsync(queued, null, None))!.Message.Status);
        Assert.Equal(MessageStatus.Canceled, (await db.Store.GetMessageAsync(canceled, null, None))!.Message.Status);
        var history = (await db.Store.GetMessageAsync(expired, null, None))!;
        Assert.Equal(MessageStatus.Expired, history.Message.Status);
        Assert.Equal([MessageStatus.Scheduled, MessageStatus.Queued, MessageStatus.Expired], history.Events.Select(e => e.Status));
        var report = await db.Store.GetReportAsync(new ReportQuery("u1"), None);
        Assert.Equal((1L, 1L, 1L, 0L), (report.Counts[MessageStatus.Queued], report.Counts[MessageStatus.Canceled], report.Counts[MessageStatus.Expired], report.Counts[MessageStatus.Scheduled]));
    }
}
