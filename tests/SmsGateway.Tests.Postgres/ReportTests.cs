using System.Diagnostics;
using SmsGateway.Model;
using SmsGateway.Status;
using SmsGateway.Tests.Postgres.Fixtures;
using Xunit.Abstractions;
using static SmsGateway.Tests.Postgres.Fixtures.Lifecycles;

namespace SmsGateway.Tests.Postgres;

[Collection(PostgresCollection.Name)]
public sealed class ReportTests(PostgresFixture fixture, ITestOutputHelper output)
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact(Timeout = 90_000)]
    public async Task Reports_agree_with_direct_SQL_counts_after_a_100k_message_replay()
    {
        await using var db = await fixture.CreateMigratedAsync("rep_100k");
        const int messages = 100_000;
        var users = Enumerable.Range(0, 8).Select(i => $"user-{i}").ToArray();
        var random = new Random(42);
        var all = new List<StatusEvent>(messages * 5);
        for (var i = 0; i < messages; i++)
        {
            var accepted = Epoch.AddSeconds(i * 6.048); // 100k messages over 7 days
            all.AddRange(Random(random, IdAt(accepted), users[random.Next(users.Length)], accepted));
        }

        // Delivery as a broker gives it: roughly in time order but shuffled within windows of 5,000 events (a message's
        // events often land in different batches, out of order), in batches of 1000, every 7th batch redelivered (crash before ack).
        var shuffled = all.OrderBy(e => e.At).ToList();
        var windows = shuffled.Chunk(5_000).Select(w => { var list = w.ToList(); Shuffle(random, list); return list; });
        var batches = windows.SelectMany(w => w).Chunk(1000).ToList();
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, 2).Select(w => Task.Run(async () =>
        {
            for (var b = w; b < batches.Count; b += 2)
            {
                await db.Store.WriteBatchAsync(batches[b], None);
                if (b % 7 == 0)
                {
                    await db.Store.WriteBatchAsync(batches[b], None);
                }
            }
        })));
        output.WriteLine($"wrote {all.Count} events ({batches.Count} batches, 2 writers) in {watch.ElapsedMilliseconds} ms = {all.Count / watch.Elapsed.TotalSeconds:F0} events/s");

        Assert.Equal((long)all.Count, await db.ScalarAsync<long>("SELECT count(*) FROM status_events"));
        Assert.Equal((long)messages, await db.ScalarAsync<long>("SELECT count(*) FROM messages"));
        await db.ScalarAsync<object>("ANALYZE messages");

        var current = all.GroupBy(e => e.MessageId).Select(g => g.Last()).ToList();
        var ranges = new (DateTimeOffset? From, DateTimeOffset? To)[]
        {
            (null, null),
            (Epoch.AddDays(1), Epoch.AddDays(2)),
            (Epoch.AddHours(30.5), null),
            (null, Epoch.AddDays(3).AddMinutes(17)),
        };
        foreach (var (from, to) in ranges)
        {
            var directByUser = await DirectCountsFromEventsAsync(db, from, to);
            foreach (var user in users)
            {
                var report = await db.Store.GetReportAsync(new ReportQuery(user, From: from, To: to, Limit: 10), None);
                var direct = directByUser.GetValueOrDefault(user) ?? [];
                var expected = current.Where(e => e.UserId == user && (from is null || e.AcceptedAt >= from) && (to is null || e.AcceptedAt < to))
                    .GroupBy(e => e.Status).ToDictionary(g => g.Key, g => (long)g.Count());
                foreach (var status in Enum.GetValues<MessageStatus>())
                {
                    Assert.Equal(expected.GetValueOrDefault(status), report.Counts[status]);
                    Assert.Equal(direct.GetValueOrDefault(status), report.Counts[status]);
                }

                Assert.Equal(10, report.Messages.Count);
                Assert.All(report.Messages, m => Assert.Equal(user, m.UserId));
            }
        }

        Assert.Equal(Enum.GetValues<MessageStatus>().Length, current.Select(e => e.Status).Distinct().Count()); // every status occurs as a current status
    }

    [Fact(Timeout = 30_000)]
    public async Task Keyset_pagination_walks_every_message_once_newest_first()
    {
        await using var db = await fixture.CreateMigratedAsync("rep_page");
        var random = new Random(7);
        var mine = new List<StatusEvent>();
        var theirs = new List<StatusEvent>();
        for (var i = 0; i < 500; i++)
        {
            var accepted = Epoch.AddMinutes(i);
            (i % 2 == 0 ? mine : theirs).AddRange(Random(random, IdAt(accepted), i % 2 == 0 ? "me" : "other", accepted));
        }

        await db.Store.WriteBatchAsync(mine.Concat(theirs).ToList(), None);
        var myCurrent = mine.GroupBy(e => e.MessageId).Select(g => g.Last()).ToList();

        var all = await WalkAsync(db, new ReportQuery("me", Limit: 100), expectedPages: 3);
        Assert.Equal(myCurrent.Select(e => e.MessageId).OrderDescending(), all.Select(m => m.Id));

        var sent = await WalkAsync(db, new ReportQuery("me", Status: MessageStatus.Sent, Limit: 7), expectedPages: null);
        Assert.Equal(myCurrent.Where(e => e.Status == MessageStatus.Sent).Select(e => e.MessageId).OrderDescending(), sent.Select(m => m.Id));
        Assert.All(sent, m => Assert.Equal(MessageStatus.Sent, m.Status));

        var from = Epoch.AddMinutes(100);
        var to = Epoch.AddMinutes(300);
        var window = await WalkAsync(db, new ReportQuery("me", From: from, To: to, Limit: 30), expectedPages: 4);
        Assert.Equal(myCurrent.Where(e => e.AcceptedAt >= from && e.AcceptedAt < to).Select(e => e.MessageId).OrderDescending(), window.Select(m => m.Id));

        // A page that ends exactly at the last message has no next cursor.
        var exact = await db.Store.GetReportAsync(new ReportQuery("me", From: from, To: to, Limit: 100), None);
        Assert.Equal(100, exact.Messages.Count);
        Assert.Null(exact.NextCursor);

        await Assert.ThrowsAsync<ArgumentException>(() => db.Store.GetReportAsync(new ReportQuery("me", Limit: 0), None).AsTask());
        await Assert.ThrowsAsync<ArgumentException>(() => db.Store.GetReportAsync(new ReportQuery("me", Limit: 1001), None).AsTask());
        await Assert.ThrowsAsync<ArgumentException>(() => db.Store.GetReportAsync(new ReportQuery("", Limit: 10), None).AsTask());
    }

    [Fact(Timeout = 30_000)]
    public async Task Users_see_only_their_own_messages()
    {
        await using var db = await fixture.CreateMigratedAsync("rep_own");
        var aliceId = IdAt(Epoch);
        var bobId = IdAt(Epoch.AddSeconds(1));
        await db.Store.WriteBatchAsync(
        [
            Event(aliceId, "alice", MessageStatus.Accepted, 0, Epoch, Epoch),
            Event(aliceId, "alice", MessageStatus.Queued, 0, Epoch.AddMilliseconds(1), Epoch),
            Event(bobId, "bob", MessageStatus.Accepted, 0, Epoch.AddSeconds(1), Epoch.AddSeconds(1)),
        ], None);

        Assert.Null(await db.Store.GetMessageAsync(aliceId, "bob", None));
        Assert.Null(await db.Store.GetMessageAsync(Guid.CreateVersion7(), null, None));
        var own = await db.Store.GetMessageAsync(aliceId, "alice", None);
        Assert.NotNull(own);
        Assert.Equal("alice", own.Message.UserId);
        Assert.Equal([MessageStatus.Accepted, MessageStatus.Queued], own.Events.Select(e => e.Status));
        Assert.NotNull(await db.Store.GetMessageAsync(aliceId, null, None)); // admin lookup

        var bob = await db.Store.GetReportAsync(new ReportQuery("bob"), None);
        Assert.Equal([bobId], bob.Messages.Select(m => m.Id));
        Assert.Equal(1L, bob.Counts.Values.Sum());
        Assert.Equal(1L, bob.Counts[MessageStatus.Accepted]);
        Assert.Equal(0L, bob.Counts[MessageStatus.Queued]);
        Assert.Equal(Enum.GetValues<MessageStatus>().Length, bob.Counts.Count);

        var nobody = await db.Store.GetReportAsync(new ReportQuery("carol"), None);
        Assert.Empty(nobody.Messages);
        Assert.Null(nobody.NextCursor);
        Assert.All(nobody.Counts.Values, c => Assert.Equal(0L, c));
    }

    private static async Task<List<MessageSummary>> WalkAsync(TestDatabase db, ReportQuery first, int? expectedPages)
    {
        var result = new List<MessageSummary>();
        var query = first;
        var pages = 0;
        while (true)
        {
            var page = await db.Store.GetReportAsync(query, None);
            pages++;
            Assert.True(page.Messages.Count <= first.Limit);
            result.AddRange(page.Messages);
            if (page.NextCursor is null)
            {
                break;
            }

            Assert.Equal(first.Limit, page.Messages.Count);
            Assert.Equal(page.Messages[^1].Id, page.NextCursor);
            query = first with { Before = page.NextCursor };
        }

        if (expectedPages is { } n)
        {
            Assert.Equal(n, pages);
        }

        Assert.Equal(result.Count, result.Select(m => m.Id).Distinct().Count());
        return result;
    }

    /// <summary>Counts per user and current status computed from status_events (the greatest (attempt, sms_status_rank(status)) event per message), not from messages.status.</summary>
    private static async Task<Dictionary<string, Dictionary<MessageStatus, long>>> DirectCountsFromEventsAsync(TestDatabase db, DateTimeOffset? from, DateTimeOffset? to)
    {
        await using var command = db.DataSource.CreateCommand("""
            SELECT m.user_id, c.status, count(*)
            FROM (SELECT DISTINCT ON (message_id) message_id, status FROM status_events ORDER BY message_id, attempt DESC, sms_status_rank(status) DESC) c
            JOIN messages m ON m.id = c.message_id
            WHERE ($1::timestamptz IS NULL OR m.accepted_at >= $1) AND ($2::timestamptz IS NULL OR m.accepted_at < $2)
            GROUP BY m.user_id, c.status
            """);
        command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = (object?)from?.UtcDateTime ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = (object?)to?.UtcDateTime ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.TimestampTz });
        var counts = new Dictionary<string, Dictionary<MessageStatus, long>>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var user = reader.GetString(0);
            if (!counts.TryGetValue(user, out var perStatus))
            {
                counts[user] = perStatus = [];
            }

            perStatus[(MessageStatus)reader.GetInt16(1)] = reader.GetInt64(2);
        }

        return counts;
    }
}
