using System.Runtime.CompilerServices;
using SmsGateway.Model;
using SmsGateway.Status;

namespace SmsGateway.Tests.Unit.Status;

/// <summary>
/// The embedded store keeps the fields every event of a message repeats and, per event, only what differs (status, attempt,
/// time, error code), as the PostgreSQL store keeps one row per event; histories are rebuilt from them.
/// </summary>
public sealed class InMemoryStatusStoreHistoryTests
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly DateTimeOffset T0 = new(2026, 12, 3, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task The_history_is_every_distinct_event_in_time_order_with_the_message_fields_and_its_error_codes()
    {
        var store = new InMemoryStatusStore();
        var queued = Event(MessageStatus.Queued, 0, T0);
        await store.WriteBatchAsync([queued, Event(MessageStatus.Failed, 1, T0.AddSeconds(2), "smpp:0x00000058")], None);
        await store.WriteBatchAsync([Event(MessageStatus.Sent, 2, T0.AddSeconds(5)), Event(MessageStatus.Failed, 1, T0.AddSeconds(9), "again")], None);

        var history = await store.GetMessageAsync(queued.MessageId, "u1", None);

        Assert.Equal(
            [(MessageStatus.Queued, 0, T0, (string?)null), (MessageStatus.Failed, 1, T0.AddSeconds(2), "smpp:0x00000058"), (MessageStatus.Sent, 2, T0.AddSeconds(5), null)],
            history!.Events.Select(e => (e.Status, e.Attempt, e.At, e.ErrorCode)));
        Assert.All(history.Events, e => Assert.Equal(
            (queued.MessageId, "u1", "989121234567", "mci", MessageType.Express, SmsEncoding.Ucs2, 2, 2500L, T0),
            (e.MessageId, e.UserId, e.Msisdn, e.Operator, e.Type, e.Encoding, e.Segments, e.Cost, e.AcceptedAt)));
        Assert.Equal((MessageStatus.Sent, 2, T0.AddSeconds(5)), (history.Message.Status, history.Message.Attempt, history.Message.UpdatedAt));
        Assert.Null(await store.GetMessageAsync(queued.MessageId, "someone else", None));
    }

    [Fact]
    public async Task A_later_event_object_is_not_kept_once_written()
    {
        var store = new InMemoryStatusStore();
        var queued = Event(MessageStatus.Queued, 0, T0);
        await store.WriteBatchAsync([queued], None);
        var sent = await WriteAndForgetAsync(store, queued.MessageId);

        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        Assert.False(sent.IsAlive, "the store still references the decoded sent event");
        var history = await store.GetMessageAsync(queued.MessageId, null, None);
        Assert.Equal([MessageStatus.Queued, MessageStatus.Sent], history!.Events.Select(e => e.Status));
    }

    [Fact]
    public async Task The_first_event_object_is_not_kept_either()
    {
        var store = new InMemoryStatusStore();
        var messageId = Guid.Parse("01938a6e-0000-7000-8000-000000000002");
        var first = await WriteAndForgetAsync(store, messageId);

        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        Assert.False(first.IsAlive, "the store still references the message's first event");
        var history = await store.GetMessageAsync(messageId, "u1", None);
        Assert.Equal((MessageStatus.Sent, 1, "989121234567", 2500L), (history!.Message.Status, history.Message.Attempt, history.Message.Msisdn, history.Message.Cost));
        Assert.Equal(MessageStatus.Sent, history.Events[^1].Status);
    }

    /// <summary>Events of one message may be stored out of order (redelivery, a receipt before its sent event): the
    /// current status is the one that supersedes the others (StatusPrecedence), not the last one written.</summary>
    [Fact]
    public async Task An_event_stored_late_does_not_replace_a_status_that_supersedes_it()
    {
        var store = new InMemoryStatusStore();
        var delivered = Event(MessageStatus.Delivered, 1, T0.AddSeconds(3));
        await store.WriteBatchAsync([delivered], None);
        await store.WriteBatchAsync([Event(MessageStatus.Sent, 1, T0.AddSeconds(2)), Event(MessageStatus.Queued, 0, T0)], None);

        var history = await store.GetMessageAsync(delivered.MessageId, "u1", None);
        var report = await store.GetReportAsync(new ReportQuery("u1"), None);

        Assert.Equal((MessageStatus.Delivered, 1, T0.AddSeconds(3)), (history!.Message.Status, history.Message.Attempt, history.Message.UpdatedAt));
        Assert.Equal([MessageStatus.Queued, MessageStatus.Sent, MessageStatus.Delivered], history.Events.Select(e => e.Status));
        Assert.Equal(MessageStatus.Delivered, Assert.Single(report.Messages).Status);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static async Task<WeakReference> WriteAndForgetAsync(InMemoryStatusStore store, Guid messageId)
    {
        var sent = Event(MessageStatus.Sent, 1, T0.AddSeconds(1)) with { MessageId = messageId, Msisdn = new string("989121234567".AsSpan()) };
        await store.WriteBatchAsync([sent], None);
        return new WeakReference(sent);
    }

    private static StatusEvent Event(MessageStatus status, int attempt, DateTimeOffset at, string? error = null) =>
        new(Guid.Parse("01938a6e-0000-7000-8000-000000000001"), "u1", status, attempt, at, "989121234567", "mci", MessageType.Express,
            SmsEncoding.Ucs2, 2, 2500, T0, error);
}
