using SmsGateway.Model;
using SmsGateway.Serialization;
using SmsGateway.Status;
using SmsGateway.Transport;
using SmsGateway.Transport.InMemory;

namespace SmsGateway.Tests.Unit.Status;

/// <summary>
/// The status stage reads version-2 batches beside version-1 events from the in-memory transport, and acks a message only
/// once every event it carries is stored; a store outage naks it (redelivered, then stored), an undecodable one is dead-lettered.
/// </summary>
public sealed class StatusStageBatchTests
{
    private static readonly PipelineOptions Options = new()
    {
        StatusBatchSize = 4, // a 10-event message spans three store batches
        StatusBatchMaxAge = TimeSpan.FromMilliseconds(10),
        StatusRetryDelay = TimeSpan.FromMilliseconds(20),
        OutageRetryMin = TimeSpan.FromMilliseconds(20),
        OutageRetryMax = TimeSpan.FromMilliseconds(50),
    };

    [Fact(Timeout = 20_000)]
    public async Task A_batch_message_is_acked_only_after_all_its_events_are_stored()
    {
        await using var transport = new InMemoryTransport();
        var store = new GatedStore(new InMemoryStatusStore());
        await using var pipeline = new SmsPipelineBuilder().WithOptions(Options).WithTransport(transport).WithStatusStore(store).Build();
        await pipeline.StartAsync(PipelineRoles.Reporter, CancellationToken.None);
        var events = Enumerable.Range(0, 10).Select(i => StatusBatchJsonTests.Event(MessageStatus.Sent, "stage-u" + i)).ToArray();
        var single = StatusBatchJsonTests.Event(MessageStatus.Queued, "stage-v1");

        store.Hold();
        await transport.PublishAsync(Topics.Status, Batch(events), CancellationToken.None);
        await transport.PublishAsync(Topics.Status, TransportCodec.ForStatus(single), CancellationToken.None); // version 1 still read
        await store.WaitForWritesAsync(1);
        Assert.Equal(2, transport.Pending(Topics.Status, Options.StatusGroup)); // held by the store: nothing acked

        store.Release();
        await WaitUntilAsync(() => transport.Pending(Topics.Status, Options.StatusGroup) == 0);

        foreach (var e in events.Append(single))
        {
            var history = await store.Inner.GetMessageAsync(e.MessageId, null, CancellationToken.None);
            Assert.Equal(e.Status, history!.Message.Status);
        }

        Assert.True(store.Batches >= 3, $"{store.Batches} store writes"); // the message's events spanned several store batches
    }

    [Fact(Timeout = 20_000)]
    public async Task A_store_outage_naks_the_whole_message_and_its_redelivery_is_stored_once()
    {
        await using var transport = new InMemoryTransport();
        var store = new GatedStore(new InMemoryStatusStore());
        await using var pipeline = new SmsPipelineBuilder().WithOptions(Options).WithTransport(transport).WithStatusStore(store).Build();
        await pipeline.StartAsync(PipelineRoles.Reporter, CancellationToken.None);
        var events = Enumerable.Range(0, 10).Select(i => StatusBatchJsonTests.Event(MessageStatus.Delivered, "outage-u" + i)).ToArray();

        store.FailNext(2); // the first two store batches fail: the message comes back
        await transport.PublishAsync(Topics.Status, Batch(events), CancellationToken.None);
        await WaitUntilAsync(() => transport.Pending(Topics.Status, Options.StatusGroup) == 0);

        Assert.True(store.Failures >= 2);
        foreach (var e in events)
        {
            var history = await store.Inner.GetMessageAsync(e.MessageId, null, CancellationToken.None);
            Assert.Equal(MessageStatus.Delivered, history!.Message.Status);
            Assert.Single(history.Events, h => h.Status == MessageStatus.Delivered); // idempotent: the replay left one row per event
        }
    }

    [Fact(Timeout = 20_000)]
    public async Task A_batch_with_an_undecodable_event_is_dead_lettered_whole()
    {
        await using var transport = new InMemoryTransport();
        var store = new GatedStore(new InMemoryStatusStore());
        await using var pipeline = new SmsPipelineBuilder().WithOptions(Options).WithTransport(transport).WithStatusStore(store).Build();
        await pipeline.StartAsync(PipelineRoles.Reporter, CancellationToken.None);
        var good = System.Text.Encoding.UTF8.GetString(PipelineJson.Serialize(StatusBatchJsonTests.Event()));
        var payload = System.Text.Encoding.UTF8.GetBytes($"{{\"version\":2,\"events\":[{good},{{\"message_id\":\"not a uuid\"}}]}}");

        await transport.PublishAsync(Topics.Status, new OutgoingMessage("poison", payload, "poison-1"), CancellationToken.None);
        await WaitUntilAsync(() => transport.Pending(Topics.Status, Options.StatusGroup) == 0);

        var dead = Assert.Single(await transport.ListAsync(Topics.Status, 10, CancellationToken.None));
        Assert.StartsWith("undecodable", dead.Reason, StringComparison.Ordinal);
        Assert.Equal(0, store.Batches); // none of its events was written
    }

    private static OutgoingMessage Batch(IReadOnlyList<StatusEvent> events)
    {
        var frame = new StatusFrame();
        foreach (var e in events)
        {
            var payload = PipelineJson.Serialize(e);
            frame.Add(e, payload, null, StatusBatchJson.EntryBytes(payload.Length, null));
        }

        return frame.ToMessage();
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        while (!condition())
        {
            await Task.Delay(10);
        }
    }

    // A real in-memory store behind a gate (hold/release) and a fault switch (fail the next n writes as an outage would).
    private sealed class GatedStore(InMemoryStatusStore inner) : IStatusStore
    {
        private readonly SemaphoreSlim _writes = new(0);
        private volatile TaskCompletionSource _gate = Open();
        private int _failNext;
        private int _batches;
        private int _failures;

        public InMemoryStatusStore Inner => inner;

        public int Batches => Volatile.Read(ref _batches);

        public int Failures => Volatile.Read(ref _failures);

        public void Hold() => _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Release() => _gate.TrySetResult();

        public void FailNext(int n) => Volatile.Write(ref _failNext, n);

        public async Task WaitForWritesAsync(int n)
        {
            for (int i = 0; i < n; i++)
            {
                await _writes.WaitAsync();
            }
        }

        public async ValueTask WriteBatchAsync(IReadOnlyList<StatusEvent> events, CancellationToken cancellationToken)
        {
            _writes.Release();
            await _gate.Task.WaitAsync(cancellationToken);
            if (Interlocked.Decrement(ref _failNext) >= 0)
            {
                Interlocked.Increment(ref _failures);
                throw new StatusStoreUnavailableException("store down (test)");
            }

            Interlocked.Increment(ref _batches);
            await inner.WriteBatchAsync(events, cancellationToken);
        }

        public ValueTask<UserReport> GetReportAsync(ReportQuery query, CancellationToken cancellationToken) => inner.GetReportAsync(query, cancellationToken);

        public ValueTask<MessageHistory?> GetMessageAsync(Guid messageId, string? userId, CancellationToken cancellationToken) => inner.GetMessageAsync(messageId, userId, cancellationToken);

        public ValueTask<BatchCounts?> GetBatchAsync(Guid batchId, CancellationToken cancellationToken) => inner.GetBatchAsync(batchId, cancellationToken);

        public IAsyncEnumerable<MessageSummary> ExportAsync(ExportQuery query, CancellationToken cancellationToken) => inner.ExportAsync(query, cancellationToken);

        private static TaskCompletionSource Open()
        {
            var open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            open.TrySetResult();
            return open;
        }
    }
}
