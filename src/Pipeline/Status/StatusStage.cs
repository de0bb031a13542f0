using System.Diagnostics;
using System.Text.Json;
using System.Threading.Tasks.Dataflow;
using Microsoft.Extensions.Logging;
using SmsGateway.Diagnostics;
using SmsGateway.Model;
using SmsGateway.Serialization;
using SmsGateway.Transport;

namespace SmsGateway.Status;

/// <summary>
/// The status half of the graph: consume <c>sms-status</c>, batch events by size or age (a timer triggers a partial
/// batch every <see cref="PipelineOptions.StatusBatchMaxAge"/>), write each batch to the <see cref="IStatusStore"/>, and ack
/// the batch's deliveries only after the write returned. A failed write naks the batch for redelivery; the store is
/// idempotent, so a replay leaves one row per event.
/// </summary>
internal sealed class StatusStage
{
    private readonly PipelineOptions _options;
    private readonly IMessageTransport _transport;
    private readonly IStatusStore _store;
    private readonly PipelineMetrics _metrics;
    private readonly ILogger _logger;
    private readonly BatchBlock<(StatusEvent Event, IDelivery Delivery)> _batcher;
    private readonly ActionBlock<(StatusEvent Event, IDelivery Delivery)[]> _writer;
    private readonly CancellationTokenSource _stopConsuming = new();
    private Timer? _ageTrigger;
    private IMessageSubscription? _subscription;
    private Task _consumer = Task.CompletedTask;

    public StatusStage(PipelineOptions options, IMessageTransport transport, IStatusStore store, PipelineMetrics metrics, ILogger logger)
    {
        _options = options;
        _transport = transport;
        _store = store;
        _metrics = metrics;
        _logger = logger;
        _batcher = new BatchBlock<(StatusEvent, IDelivery)>(options.StatusBatchSize, new GroupingDataflowBlockOptions
        {
            BoundedCapacity = options.StatusBatchSize * 2,
        });
        _writer = new ActionBlock<(StatusEvent Event, IDelivery Delivery)[]>(WriteAsync, new ExecutionDataflowBlockOptions
        {
            MaxDegreeOfParallelism = 1,
            BoundedCapacity = 2,
        });
        _batcher.LinkTo(_writer, new DataflowLinkOptions { PropagateCompletion = true });
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var options = new SubscriptionOptions { MaxInFlight = Math.Max(_options.MaxInFlight, _options.StatusBatchSize * 4), AckWait = _options.AckWait };
        _subscription = await _transport.SubscribeAsync(Topics.Status, _options.StatusGroup, options, cancellationToken).ConfigureAwait(false);
        _ageTrigger = new Timer(_ => _batcher.TriggerBatch(), null, _options.StatusBatchMaxAge, _options.StatusBatchMaxAge);
        _consumer = Task.Run(ConsumeAsync);
    }

    /// <summary>Stops consuming, writes the last partial batch, then leaves the consumer group.</summary>
    public async Task StopAsync()
    {
        _stopConsuming.Cancel();
        await _consumer.ConfigureAwait(false);
        await DrainAsync().ConfigureAwait(false);
        if (_ageTrigger is not null)
        {
            await _ageTrigger.DisposeAsync().ConfigureAwait(false);
        }

        _batcher.Complete();
        await _writer.Completion.ConfigureAwait(false);
        if (_subscription is not null)
        {
            await _subscription.DisposeAsync().ConfigureAwait(false);
        }
    }

    // Takes what the subscription already holds, until a pass of two batch ages finds nothing new, so a graceful
    // stop writes the events published during the shutdown of the other stages.
    private async Task DrainAsync()
    {
        var reader = _subscription!.Deliveries;
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
        StatusEvent e;
        try
        {
            e = PipelineJson.DeserializeStatus(delivery.Payload.Span);
        }
        catch (JsonException ex)
        {
            PipelineLog.PoisonMessage(_logger, ex, delivery.Topic);
            await delivery.AckAsync(CancellationToken.None).ConfigureAwait(false);
            return;
        }

        if (!await _batcher.SendAsync((e, delivery), cancellationToken).ConfigureAwait(false))
        {
            await delivery.NakAsync(TimeSpan.Zero, CancellationToken.None).ConfigureAwait(false);
        }
    }

    private async Task ConsumeAsync()
    {
        var token = _stopConsuming.Token;
        var reader = _subscription!.Deliveries;
        try
        {
            while (await reader.WaitToReadAsync(token).ConfigureAwait(false))
            {
                while (reader.TryRead(out var delivery))
                {
                    // Not cancellable: a delivery taken from the reader must reach the batcher (the writer keeps draining it).
                    await AcceptAsync(delivery, CancellationToken.None).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // shutdown
        }
        catch (Exception ex)
        {
            PipelineLog.ConsumerFailed(_logger, ex, Topics.Status);
        }
    }

    private async Task WriteAsync((StatusEvent Event, IDelivery Delivery)[] batch)
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
            PipelineLog.StatusBatchFailed(_logger, ex, batch.Length);
            foreach (var (_, delivery) in batch)
            {
                await SafeSettleAsync(delivery.NakAsync(_options.StatusRetryDelay, CancellationToken.None)).ConfigureAwait(false);
            }

            return;
        }

        foreach (var (_, delivery) in batch)
        {
            await SafeSettleAsync(delivery.AckAsync(CancellationToken.None)).ConfigureAwait(false);
        }
    }

    private static ActivityContext[] TracesOf((StatusEvent Event, IDelivery Delivery)[] batch)
    {
        var contexts = new ActivityContext[batch.Length];
        for (int i = 0; i < contexts.Length; i++)
        {
            contexts[i] = PipelineTelemetry.ParentOf(batch[i].Delivery);
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
