using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using SmsGateway.Accept;
using SmsGateway.Billing;
using SmsGateway.Model;
using SmsGateway.Routing;
using SmsGateway.Status;
using SmsGateway.Transport;
using SmsGateway.Transport.InMemory;

namespace SmsGateway.Tests.Unit.Status;

/// <summary>
/// The accept-time <c>queued</c> event held for <see cref="PipelineOptions.QueuedEventDelay"/> (docs/architecture.md "The
/// queued event, implied"): dropped when the message's later event is published first, published when the message waits
/// longer, published at stop, found by cancel while held, and added back to the history readers see.
/// </summary>
public sealed class ImpliedQueuedEventTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact(Timeout = 30_000)]
    public async Task A_message_sent_within_the_delay_publishes_no_queued_event_and_its_history_still_shows_one()
    {
        var ledger = new InMemoryBalanceLedger();
        var store = new InMemoryStatusStore();
        await using var pipeline = new SmsPipelineBuilder().WithOptions(new PipelineOptions { QueuedEventDelay = TimeSpan.FromSeconds(30) })
            .WithLedger(ledger).WithStatusStore(store).Build();
        var published = new ConcurrentQueue<StatusEvent>();
        pipeline.StatusPublished += published.Enqueue;
        await pipeline.StartAsync(PipelineRoles.All, None);
        await ledger.ChargeAsync("u", 100_000, "c", None);

        var result = await pipeline.SendAsync(new SendRequest("09121234567", "hello", "express", "u"), None);
        var id = result.Message!.Id;
        await WaitUntilAsync(() => published.Any(e => e.MessageId == id && e.Status == MessageStatus.Sent));
        await pipeline.StopAsync(None); // publishes what is still held: nothing, the sent event made the queued one implied

        Assert.DoesNotContain(published, e => e.Status == MessageStatus.Queued);
        var history = await store.GetMessageAsync(id, null, None);
        Assert.Equal([MessageStatus.Queued, MessageStatus.Sent], history!.Events.Take(2).Select(e => e.Status));
        Assert.Equal((result.Message.AcceptedAt, 0), (history.Events[0].At, history.Events[0].Attempt));
    }

    // Over the in-memory transport the 202 waits for the queued event's publish (it is in StatusPublished when SendAsync
    // returns); over any other transport the event is held (250 ms) and is not.
    [Theory(Timeout = 30_000)]
    [InlineData(true)]
    [InlineData(false)]
    public async Task By_default_the_event_is_held_over_a_broker_and_published_at_accept_in_memory(bool inMemory)
    {
        await using var memory = new InMemoryTransport();
        var ledger = new InMemoryBalanceLedger();
        await using var pipeline = new SmsPipelineBuilder().WithTransport(inMemory ? memory : new BrokerTransport(memory)).WithLedger(ledger).Build();
        var published = new ConcurrentQueue<StatusEvent>();
        pipeline.StatusPublished += published.Enqueue;
        await pipeline.StartAsync(PipelineRoles.All, None);
        await ledger.ChargeAsync("u", 100_000, "c", None);

        var result = await pipeline.SendAsync(new SendRequest("09121234567", "hello", "express", "u"), None);

        Assert.Equal(AcceptStatus.Queued, result.Status);
        Assert.Equal(inMemory, published.Any(e => e.MessageId == result.Message!.Id && e.Status == MessageStatus.Queued));
    }

    [Fact(Timeout = 30_000)]
    public async Task A_message_that_waits_longer_than_the_delay_is_published_queued()
    {
        var delay = TimeSpan.FromMilliseconds(200);
        var (pipeline, client, ledger) = await StalledMciAsync(delay);
        await using var _ = pipeline;
        var published = new ConcurrentQueue<(StatusEvent Event, long At)>();
        pipeline.StatusPublished += e => published.Enqueue((e, Stopwatch.GetTimestamp()));

        // MCI takes one send at a time and the first never ends: the second message waits in its lane, unsent.
        long sentAt = Stopwatch.GetTimestamp();
        var first = await pipeline.SendAsync(new SendRequest("09121234567", "first", "normal", "u"), None);
        var second = await pipeline.SendAsync(new SendRequest("09121234567", "second", "normal", "u"), None);

        await WaitUntilAsync(() => published.Count(p => p.Event.Status == MessageStatus.Queued) == 2);
        var queued = published.Where(p => p.Event.Status == MessageStatus.Queued).ToList();
        Assert.All(queued, p => Assert.True(Stopwatch.GetElapsedTime(sentAt, p.At) >= delay, "a queued event went out before its delay"));
        Assert.Equal(new[] { first.Message!.Id, second.Message!.Id }.Order(), queued.Select(p => p.Event.MessageId).Order());
        client.Release();
    }

    [Fact(Timeout = 30_000)]
    public async Task Cancel_finds_a_message_whose_queued_event_is_held_and_its_canceled_event_replaces_it()
    {
        var (pipeline, client, ledger) = await StalledMciAsync(TimeSpan.FromMinutes(1));
        await using var _ = pipeline;
        var published = new ConcurrentQueue<StatusEvent>();
        pipeline.StatusPublished += published.Enqueue;
        await pipeline.SendAsync(new SendRequest("09121234567", "first", "normal", "u"), None);
        var second = await pipeline.SendAsync(new SendRequest("09121234567", "second", "normal", "u"), None);
        await client.WaitForInFlightAsync(1);

        var target = await pipeline.FindForCancelAsync(second.Message!.Id, None); // the status store knows nothing of it yet
        Assert.Equal((second.Message.Id, MessageStatus.Queued), (target!.Message.Id, target.Status));
        Assert.Equal(CancelOutcome.Canceled, await pipeline.CancelAsync(target.Message, None));
        client.Release();
        await pipeline.StopAsync(None); // would publish the held queued event of the second message, had canceled not dropped it

        var statuses = published.Where(e => e.MessageId == second.Message.Id).Select(e => e.Status).ToList();
        Assert.Equal(MessageStatus.Canceled, statuses[0]); // then the dispatcher's failed, when it meets the refund (never sent)
        Assert.DoesNotContain(MessageStatus.Queued, statuses);
        var balance = await ledger.GetBalanceAsync("u", None);
        Assert.Equal((0L, 1L), (balance.Reserved, balance.Spent)); // the first message's 1 segment at 1 each; the second refunded
    }

    // A pipeline whose MCI lane takes one send at a time through a client that holds every send until released.
    private static async Task<(SmsPipeline, DispatchLaneTests.GatedClient, InMemoryBalanceLedger)> StalledMciAsync(TimeSpan queuedEventDelay)
    {
        var client = new DispatchLaneTests.GatedClient("MCI");
        var ledger = new InMemoryBalanceLedger();
        var pipeline = new SmsPipelineBuilder()
            .WithOptions(new PipelineOptions { QueuedEventDelay = queuedEventDelay, ShutdownTimeout = TimeSpan.FromSeconds(5) })
            .WithOperatorTable(OperatorTable.Parse(DispatchLaneTests.Table(1, 0))).WithLedger(ledger).WithOperatorClient(client).Build();
        await pipeline.StartAsync(PipelineRoles.All, None);
        await ledger.ChargeAsync("u", 100_000, "c", None);
        return (pipeline, client, ledger);
    }

    [Fact(Timeout = 10_000)]
    public async Task Held_events_are_dropped_by_a_later_event_or_a_refused_publish_and_the_rest_go_out_at_stop()
    {
        await using var transport = new InMemoryTransport();
        var publisher = new StatusPublisher(transport, new PipelineMetrics(), TimeProvider.System, NullLogger.Instance, new PipelineOptions());
        var published = new ConcurrentQueue<StatusEvent>();
        publisher.Published += published.Enqueue;
        var implied = new ImpliedQueuedEvents(publisher, TimeSpan.FromMinutes(1), TimeProvider.System);
        StatusEvent refused = StatusBatchJsonTests.Event(), sent = StatusBatchJsonTests.Event(), waiting = StatusBatchJsonTests.Event();

        implied.Hold(refused);
        implied.Hold(sent);
        implied.Hold(waiting);
        implied.Drop(refused.MessageId);
        await publisher.PublishAsync(sent with { Status = MessageStatus.Sent, Attempt = 1 }, None);
        Assert.Equal(1, implied.Count);
        Assert.Single(published); // nothing held went out before its delay

        await implied.DisposeAsync();

        Assert.Equal([(sent.MessageId, MessageStatus.Sent), (waiting.MessageId, MessageStatus.Queued)], published.Select(e => (e.MessageId, e.Status)));
        Assert.Equal(0, implied.Count);
    }

    [Fact]
    public void A_history_gets_the_queued_entry_its_later_events_imply_and_only_then()
    {
        var sent = StatusBatchJsonTests.Event(MessageStatus.Sent);
        var summary = new MessageSummary(sent.MessageId, sent.UserId, sent.Msisdn, sent.Operator, sent.Type, sent.Encoding, sent.Segments,
            sent.Cost, sent.AcceptedAt, MessageStatus.Sent, 1, sent.At, null);
        IReadOnlyList<MessageStatus> Of(params MessageStatus[] statuses) =>
            MessageHistory.Of(summary, [.. statuses.Select(s => sent with { Status = s })]).Events.Select(e => e.Status).ToList();

        Assert.Equal([MessageStatus.Queued, MessageStatus.Sent, MessageStatus.Delivered], Of(MessageStatus.Sent, MessageStatus.Delivered));
        Assert.Equal([MessageStatus.Queued, MessageStatus.Canceled], Of(MessageStatus.Canceled));
        Assert.Equal([MessageStatus.Queued, MessageStatus.Sent], Of(MessageStatus.Queued, MessageStatus.Sent)); // stored: not added twice
        Assert.Equal([MessageStatus.Scheduled, MessageStatus.Canceled], Of(MessageStatus.Scheduled, MessageStatus.Canceled)); // never released
        Assert.Equal([MessageStatus.Rejected], Of(MessageStatus.Rejected)); // never queued
        Assert.Empty(Of());
        Assert.Equal(sent.AcceptedAt, MessageHistory.Of(summary, [sent]).Events[0].At);
    }

    // Any transport other than InMemoryTransport counts as a broker for the pipeline's defaults.
    private sealed class BrokerTransport(InMemoryTransport inner) : IMessageTransport
    {
        public ValueTask PublishAsync(string topic, OutgoingMessage message, CancellationToken cancellationToken) =>
            inner.PublishAsync(topic, message, cancellationToken);

        public ValueTask<IMessageSubscription> SubscribeAsync(string topic, string consumerGroup, SubscriptionOptions options, CancellationToken cancellationToken) =>
            inner.SubscribeAsync(topic, consumerGroup, options, cancellationToken);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        while (!condition())
        {
            await Task.Delay(10);
        }
    }
}
