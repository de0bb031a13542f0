using System.Diagnostics;
using System.Text.Json;
using System.Threading.Tasks.Dataflow;
using Microsoft.Extensions.Logging;
using SmsGateway.Diagnostics;
using SmsGateway.Model;
using SmsGateway.Serialization;
using SmsGateway.Transport;
using SmsGateway.Transport.InMemory;

namespace SmsGateway.Status;

/// <summary>
/// The status half of the graph (blocks built by <see cref="PipelineGraph.Status"/>): consume <c>sms-status</c>, decode
/// each delivery's events (one in wire format version 1, many in version 2, docs/architecture.md "Status events on the
/// wire"), batch events by size or age (a timer triggers a
/// partial batch every <see cref="PipelineOptions.StatusBatchMaxAge"/>), write each batch to the <see cref="IStatusStore"/>,
/// and ack a delivery only after every event it carries was written (<see cref="StatusDelivery"/>). A failed write naks
/// its deliveries for redelivery; the store is idempotent, so a replay leaves one row per event.
/// </summary>
internal sealed class StatusStage
{
    private readonly PipelineOptions _options;
    private readonly IMessageTransport _transport;
    private readonly IStatusStore _store;
    private readonly PipelineMetrics _metrics;
    private readonly ILogger _logger;
    private readonly BatchBlock<StatusItem> _batcher;
    private readonly ActionBlock<StatusItem[]> _writer;
    private Timer? _ageTrigger;
    private ConsumerSupervisor? _consumer;

    public StatusStage(PipelineOptions options, IMessageTransport transport, IStatusStore store, PipelineMetrics metrics, ILogger logger)
    {
        _options = options;
        _transport = transport;
        _store = store;
        _metrics = metrics;
        _logger = logger;
        (_batcher, _writer) = PipelineGraph.Status(options, WriteAsync);
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var options = new SubscriptionOptions { MaxInFlight = Math.Max(_options.MaxInFlight, _options.StatusBatchSize * 4), AckWait = _options.AckWait };
        _consumer = new ConsumerSupervisor(_transport, Topics.Status, _options.StatusGroup, options, ConsumeAsync, _options.ConsumerRestartMax, _metrics, _logger);
        await _consumer.StartAsync(cancellationToken).ConfigureAwait(false);
        _ageTrigger = new Timer(_ => _batcher.TriggerBatch(), null, _options.StatusBatchMaxAge, _options.StatusBatchMaxAge);
    }

    /// <summary>Stops consuming, writes the last partial batch, then leaves the consumer group.</summary>
    public async Task StopAsync()
    {
        if (_consumer is null)
        {
            return;
        }

        await _consumer.StopLoopAsync().ConfigureAwait(false);
        await DrainAsync().ConfigureAwait(false);
        if (_ageTrigger is not null)
        {
            await _ageTrigger.DisposeAsync().ConfigureAwait(false);
        }

        _batcher.Complete();
        await _writer.Completion.ConfigureAwait(false);
        await _consumer.StopAsync().ConfigureAwait(false);
    }

    // Takes what the subscription already holds, until a pass of two batch ages finds nothing new, so a graceful
    // stop writes the events published during the shutdown of the other stages.
    private async Task DrainAsync()
    {
        if (_consumer?.Current is not { } subscription)
        {
            return;
        }

        var reader = subscription.Deliveries;
        int idlePasses = 0;
        while (idlePasses < 2)
        {
            bool any = false;
            while (reader.TryRead(out var delivery))
            {
                any = true;
                await AcceptAsync(delivery, CancellationToken.None).ConfigureAwait(false);
            }

            idlePasses = any ? 0 : idlePasses + 1;
            if (!any)
            {
                await Task.Delay(_options.StatusBatchMaxAge).ConfigureAwait(false);
            }
        }
    }

    private async Task AcceptAsync(IDelivery delivery, CancellationToken cancellationToken)
    {
        _metrics.Delivered(delivery);
        using var activity = PipelineTelemetry.StartConsumer("status", delivery);
        StatusBatch batch;
        try
        {
            // In the same process the publisher's events come along and are taken as they are (OutgoingMessage.Decoded).
            batch = delivery is InMemoryDelivery { Decoded: StatusBatch decoded } ? decoded : PipelineJson.ReadStatusPayload(delivery.Payload.Span);
        }
        catch (JsonException ex)
        {
            // one undecodable event makes the whole message poison: none of its events is written
            await PoisonDelivery.DeadLetterAsync(delivery, ex, _options, _metrics, _logger).ConfigureAwait(false);
            return;
        }

        var tracked = new StatusDelivery(delivery, batch);
        for (int i = 0; i < batch.Events.Count; i++)
        {
            if (!await _batcher.SendAsync(new StatusItem(batch.Events[i], tracked, i), cancellationToken).ConfigureAwait(false))
            {
                // the batcher is closed (stopping): the whole message comes back, events already handed over are written twice
                if (tracked.TryFail())
                {
                    await delivery.NakAsync(TimeSpan.Zero, CancellationToken.None).ConfigureAwait(false);
                }

                return;
            }
        }
    }

    // One subscription's deliveries until the channel completes (returns) or faults (throws: the supervisor subscribes again).
    // The batcher and writer are bounded, so while the store is down this loop waits on them and the subscription's bounded
    // channel fills: the transport stops fetching (the stage holds at most MaxInFlight + 4 batches).
    private async Task ConsumeAsync(IMessageSubscription subscription, CancellationToken token)
    {
        var reader = subscription.Deliveries;
        while (await reader.WaitToReadAsync(token).ConfigureAwait(false))
        {
            while (reader.TryRead(out var delivery))
            {
                try
                {
                    // Not cancellable: a delivery taken from the reader must reach the batcher (the writer keeps draining it).
                    await AcceptAsync(delivery, CancellationToken.None).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // a nak or dead-letter that did not reach the broker: redelivered after the ack wait
                    PipelineLog.ConsumerFailed(_logger, ex, Topics.Status);
                }
            }
        }
    }

    private async Task WriteAsync(StatusItem[] batch)
    {
        var events = new StatusEvent[batch.Length];
        for (int i = 0; i < batch.Length; i++)
        {
            events[i] = batch[i].Event;
        }

        // One write serves many traces: its span is a child of the first event's publisher and links the others.
        using var activity = PipelineTelemetry.Source.HasListeners() ? PipelineTelemetry.StartBatch("status write", ActivityKind.Client, TracesOf(batch)) : null;
        long start = Stopwatch.GetTimestamp();
        try
        {
            await _store.WriteBatchAsync(events, CancellationToken.None).ConfigureAwait(false);
            _metrics.StoreWrite(ok: true, Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
        catch (Exception ex)
        {
            _metrics.StoreWrite(ok: false, Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            PipelineTelemetry.Fail(activity, "store_failed");

            // Store down: every event goes back with a pause that grows with its deliveries (never dropped, never
            // dead-lettered), and the writer pauses too, so the consumer does not pull more while nothing can be stored.
            // A delivery carrying several events is nak'ed once, even when its events are spread over several batches.
            int fewest = int.MaxValue;
            foreach (var (_, tracked, _) in batch)
            {
                if (!tracked.TryFail())
                {
                    continue;
                }

                var delivery = tracked.Delivery;
                fewest = Math.Min(fewest, delivery.DeliveryCount);
                _metrics.OutageNak(Topics.Status);
                await SafeSettleAsync(delivery.NakAsync(OutageBackoff.For(delivery.DeliveryCount, _options.StatusRetryDelay, _options.OutageRetryMax), CancellationToken.None)).ConfigureAwait(false);
            }

            fewest = fewest == int.MaxValue ? 1 : fewest;

            var pause = OutageBackoff.For(fewest, _options.StatusRetryDelay, _options.OutageRetryMax);
            var longest = _options.AckWait / 4;
            pause = pause < longest ? pause : longest;
            PipelineLog.StatusWriteBackoff(_logger, ex, batch.Length, pause.TotalMilliseconds, fewest, _options.StatusBatchSize * 4);
            await Task.Delay(pause).ConfigureAwait(false);
            return;
        }

        foreach (var (_, tracked, _) in batch)
        {
            if (tracked.Stored())
            {
                await SafeSettleAsync(tracked.Delivery.AckAsync(CancellationToken.None)).ConfigureAwait(false);
            }
        }
    }

    private static ActivityContext[] TracesOf(StatusItem[] batch)
    {
        var contexts = new ActivityContext[batch.Length];
        for (int i = 0; i < contexts.Length; i++)
        {
            contexts[i] = batch[i].Delivery.TraceOf(batch[i].Index);
        }

        return contexts;
    }

    private async ValueTask SafeSettleAsync(ValueTask settle)
    {
        try
        {
            await settle.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // An ack that did not reach the broker means one more delivery of an event the store already holds.
            PipelineLog.StatusBatchFailed(_logger, ex, 1);
        }
    }
}
