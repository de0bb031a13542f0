using System.Runtime.CompilerServices;
using SmsGateway.Model;
using SmsGateway.Status;

namespace SmsGateway.Tests.Unit.Status;

/// <summary>
/// The embedded store keeps a message's first event and, per later event, only what differs (status, attempt, time, error
/// code), as the PostgreSQL store keeps one row per event; histories are rebuilt from them.
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
