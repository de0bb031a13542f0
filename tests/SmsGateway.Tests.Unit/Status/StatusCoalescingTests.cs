using System.Collections.Concurrent;
using Microsoft.Extensions.Logging.Abstractions;
using SmsGateway.Model;
using SmsGateway.Serialization;
using SmsGateway.Status;
using SmsGateway.Transport;
using SmsGateway.Transport.InMemory;

namespace SmsGateway.Tests.Unit.Status;

/// <summary>
/// <see cref="StatusPublisher"/> coalesces events published together into one sms-status message, and each caller's task
/// follows the broker ack (or the failure) of the message that carries its event.
/// </summary>
public sealed class StatusCoalescingTests
{
    [Fact(Timeout = 10_000)]
    public async Task A_lone_event_goes_at_once_in_version_1()
    {
        await using var transport = new GatedTransport(new InMemoryTransport(), gated: false);
        var publisher = Publisher(transport, out var observed);
        var e = StatusBatchJsonTests.Event(MessageStatus.Sent);

        await publisher.PublishAsync(e, CancellationToken.None);

        Assert.Equal(e, Assert.Single(observed)); // observers are told before the caller continues
        var message = Assert.Single(transport.Published);
        Assert.Equal(PipelineJson.Serialize(e), message.Payload.ToArray()); // the bytes a writer before version 2 sent
        Assert.Equal($"{e.MessageId:N}.{(int)e.Status}.{e.Attempt}", message.MessageId);
        Assert.Equal(e.UserId, message.Key);
    }

    [Fact(Timeout = 10_000)]
    public async Task Callers_waiting_behind_a_publish_share_one_message_and_complete_on_its_ack()
    {
        await using var transport = new GatedTransport(new InMemoryTransport(), gated: true);
        var publisher = Publisher(transport, out var observed);
        var first = publisher.PublishAsync(StatusBatchJsonTests.Event(), CancellationToken.None).AsTask();
        await transport.WaitForPublishesAsync(1); // the first event's message waits for its ack

        var events = Enumerable.Range(0, 20).Select(i => StatusBatchJsonTests.Event(MessageStatus.Sent, "u" + i)).ToArray();
        // Called here, not through Task.Run: PublishAsync adds its event to the open frame before it first awaits, so every
        // event is in that frame before the first ack is released (a Task.Run caller scheduled late on a busy machine
        // landed in a third, never-released message and the test timed out).
        var callers = events.Select(e => publisher.PublishAsync(e, CancellationToken.None).AsTask()).ToArray();
        await Task.Delay(100);
        Assert.False(first.IsCompleted);
        Assert.All(callers, c => Assert.False(c.IsCompleted)); // none is acked yet
        Assert.Empty(observed);

        transport.Release(1); // ack of the first message
        await first;
        await transport.WaitForPublishesAsync(2);
        Assert.All(callers, c => Assert.False(c.IsCompleted));

        transport.Release(1); // ack of the batch
        await Task.WhenAll(callers);

        Assert.Equal(2, transport.Published.Count);
        var batch = PipelineJson.DeserializeStatuses(transport.Published[1].Payload.Span);
        Assert.Equal(events.OrderBy(e => e.UserId), batch.OrderBy(e => e.UserId)); // one message carries all 20
        Assert.Equal(21, observed.Count); // StatusPublished still fires once per event
    }

    [Fact(Timeout = 10_000)]
    public async Task A_failed_publish_fails_every_caller_of_its_message()
    {
        await using var transport = new GatedTransport(new InMemoryTransport(), gated: true);
        var publisher = Publisher(transport, out var observed);
        var first = publisher.PublishAsync(StatusBatchJsonTests.Event(), CancellationToken.None).AsTask();
        await transport.WaitForPublishesAsync(1);
        // Called here, not through Task.Run: each event joins the open frame before its call returns (see above).
        var throwing = Enumerable.Range(0, 5).Select(_ => publisher.PublishAsync(StatusBatchJsonTests.Event(MessageStatus.Sent), CancellationToken.None).AsTask()).ToArray();
        var trying = Enumerable.Range(0, 5).Select(_ => publisher.TryPublishAsync(StatusBatchJsonTests.Event(MessageStatus.Failed), CancellationToken.None).AsTask()).ToArray();
        await Task.Delay(100);

        transport.Release(1);
        await first;
        await transport.WaitForPublishesAsync(2);
        transport.Fail(1);

        foreach (var caller in throwing)
        {
            await Assert.ThrowsAsync<TransportException>(() => caller);
        }

        await Task.WhenAll(trying); // TryPublishAsync logs and returns
        Assert.Single(observed); // only the acked first event reached the observers
        Assert.Equal(10, PipelineJson.DeserializeStatuses(transport.Published[1].Payload.Span).Count);
    }

    [Fact(Timeout = 10_000)]
    public async Task Messages_hold_at_most_the_configured_events_and_bytes()
    {
        await using var transport = new GatedTransport(new InMemoryTransport(), gated: true);
        var options = new PipelineOptions { StatusPublishMaxEvents = 16, StatusPublishMaxBytes = 4096 };
        var publisher = Publisher(transport, out _, options);
        var first = publisher.PublishAsync(StatusBatchJsonTests.Event(), CancellationToken.None).AsTask();
        await transport.WaitForPublishesAsync(1);
        var callers = Enumerable.Range(0, 100).Select(i => publisher.PublishAsync(StatusBatchJsonTests.Event(MessageStatus.Sent, "user-" + i), CancellationToken.None).AsTask()).ToArray();

        transport.ReleaseAll();
        await first;
        await Task.WhenAll(callers);

        var sizes = transport.Published.Skip(1).Select(m => (Events: PipelineJson.DeserializeStatuses(m.Payload.Span).Count, Bytes: m.Payload.Length)).ToList();
        Assert.Equal(100, sizes.Sum(s => s.Events));
        Assert.All(sizes, s => Assert.InRange(s.Bytes, 1, 4096));
        Assert.All(sizes, s => Assert.InRange(s.Events, 1, 16));
        Assert.True(sizes.Count < 100 / 2, $"{sizes.Count} messages for 100 events"); // coalesced, ~400 bytes an event
    }

    [Fact(Timeout = 10_000)]
    public async Task One_event_a_message_when_coalescing_is_off()
    {
        await using var transport = new GatedTransport(new InMemoryTransport(), gated: false);
        var publisher = Publisher(transport, out _, new PipelineOptions { StatusPublishMaxEvents = 1 });
        var events = Enumerable.Range(0, 10).Select(_ => StatusBatchJsonTests.Event()).ToArray();

        await Task.WhenAll(events.Select(e => publisher.PublishAsync(e, CancellationToken.None).AsTask()));

        Assert.Equal(10, transport.Published.Count);
        Assert.All(transport.Published, m => Assert.False(StatusBatchJson.IsBatch(m.Payload.Span)));
    }

    [Fact(Timeout = 10_000)]
    public async Task A_caller_that_stops_waiting_gets_canceled_and_its_event_still_goes()
    {
        await using var transport = new GatedTransport(new InMemoryTransport(), gated: true);
        var publisher = Publisher(transport, out var observed);
        var first = publisher.PublishAsync(StatusBatchJsonTests.Event(), CancellationToken.None).AsTask();
        await transport.WaitForPublishesAsync(1);
        using var cts = new CancellationTokenSource();
        var e = StatusBatchJsonTests.Event(MessageStatus.Sent);
        var impatient = publisher.PublishAsync(e, cts.Token).AsTask();

        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => impatient);
        transport.ReleaseAll();
        await first;
        await transport.WaitForPublishesAsync(2);
        Assert.Equal(e, Assert.Single(PipelineJson.DeserializeStatuses(transport.Published[1].Payload.Span)));
        while (!observed.Contains(e)) // counted and observed once its message is acked, though nobody waits for it any more
        {
            await Task.Delay(10);
        }
    }

    private static StatusPublisher Publisher(IMessageTransport transport, out ConcurrentQueue<StatusEvent> observed, PipelineOptions? options = null)
    {
        var seen = new ConcurrentQueue<StatusEvent>();
        var publisher = new StatusPublisher(transport, new PipelineMetrics(), TimeProvider.System, NullLogger.Instance, options ?? new PipelineOptions());
        publisher.Published += seen.Enqueue;
        observed = seen;
        return publisher;
    }

    // The in-memory transport with a gate in front of each publish's ack: the test decides when (and whether) a publish succeeds.
    private sealed class GatedTransport(InMemoryTransport inner, bool gated) : IMessageTransport
    {
        private readonly ConcurrentQueue<TaskCompletionSource<bool>> _gates = new();
        private readonly List<OutgoingMessage> _published = [];
        private readonly SemaphoreSlim _count = new(0);
        private bool _open = !gated;

        public IReadOnlyList<OutgoingMessage> Published
        {
            get
            {
                lock (_published)
                {
                    return [.. _published];
                }
            }
        }

        public async Task WaitForPublishesAsync(int count)
        {
            while (Published.Count < count)
            {
                await _count.WaitAsync();
            }
        }

        public void Release(int n) => Settle(n, ok: true);

        public void Fail(int n) => Settle(n, ok: false);

        public void ReleaseAll()
        {
            lock (_published)
            {
                _open = true;
            }

            Settle(int.MaxValue, ok: true);
        }

        public async ValueTask PublishAsync(string topic, OutgoingMessage message, CancellationToken cancellationToken)
        {
            TaskCompletionSource<bool>? gate = null;
            lock (_published)
            {
                if (!_open)
                {
                    gate = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
                    _gates.Enqueue(gate);
                }

                _published.Add(message); // after its gate, so a test that saw the publish can release it
            }

            _count.Release();
            if (gate is not null && !await gate.Task.WaitAsync(cancellationToken))
            {
                throw new TransportException("broker refused the message (test)");
            }

            await inner.PublishAsync(topic, message, cancellationToken);
        }

        public ValueTask<IMessageSubscription> SubscribeAsync(string topic, string consumerGroup, SubscriptionOptions options, CancellationToken cancellationToken) =>
            inner.SubscribeAsync(topic, consumerGroup, options, cancellationToken);

        public ValueTask DisposeAsync() => inner.DisposeAsync();

        private void Settle(int n, bool ok)
        {
            for (int i = 0; i < n && _gates.TryDequeue(out var gate); i++)
            {
                gate.TrySetResult(ok);
            }
        }
    }
}
