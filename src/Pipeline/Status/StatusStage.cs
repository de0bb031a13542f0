using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using SmsGateway.Model;
using SmsGateway.Serialization;
using SmsGateway.Transport;

namespace SmsGateway.Status;

/// <summary>
/// The status half of the graph: consume <c>sms-status</c>, batch events by size or age (a batch is written once it holds
/// <see cref="PipelineOptions.StatusBatchSize"/> events or its first event is <see cref="PipelineOptions.StatusBatchMaxAge"/>
/// old), write each batch to the <see cref="IStatusStore"/>, and ack the batch's deliveries only after the write returned.
/// A failed write naks the batch for redelivery; the store is idempotent, so a replay leaves one row per event.
/// </summary>
/// <remarks>
/// Threading: one consumer loop decodes and batches; one writer loop writes batches in order, at most one batch waiting
/// behind the one being written (so decoding overlaps the store's round trip, and a slow store stops consumption).
/// The consumer builds batches itself rather than offering each event to a Dataflow <c>BatchBlock</c>: the per-event
/// offer took the block's lock and a task continuation, which profiles of the embedded graph showed as the status path's
/// main cost. For the same reason, while a batch is partial and nothing is waiting, the consumer pauses briefly (a tenth of
/// the max age, 1 to 5 ms) instead of waking for every event; an empty consumer waits for the next event as usual.
/// </remarks>
internal sealed class StatusStage
{
    private readonly PipelineOptions _options;
    private readonly IMessageTransport _transport;
    private readonly IStatusStore _store;
    private readonly ILogger _logger;
    private readonly Channel<StatusBatch> _batches = Channel.CreateBounded<StatusBatch>(new BoundedChannelOptions(1)
    {
        FullMode = BoundedChannelFullMode.Wait,
        SingleReader = true,
        SingleWriter = true,
    });

    private readonly CancellationTokenSource _stopConsuming = new();
    private readonly long _pollMs;
    private IMessageSubscription? _subscription;
    private Task _consumer = Task.CompletedTask;
    private Task _writer = Task.CompletedTask;
    private StatusBatch _batch;
    private long _batchDeadline;

    public StatusStage(PipelineOptions options, IMessageTransport transport, IStatusStore store, ILogger logger)
    {
        _options = options;
        _transport = transport;
        _store = store;
        _logger = logger;
        _batch = new StatusBatch(options.StatusBatchSize);
        // Short enough that a bounded subscription buffer (NATS, Kafka: at least 4 batches) cannot fill between looks.
        _pollMs = Math.Clamp((long)(options.StatusBatchMaxAge.TotalMilliseconds / 10), 1, 5);
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var options = new SubscriptionOptions { MaxInFlight = Math.Max(_options.MaxInFlight, _options.StatusBatchSize * 4), AckWait = _options.AckWait };
        _subscription = await _transport.SubscribeAsync(Topics.Status, _options.StatusGroup, options, cancellationToken).ConfigureAwait(false);
        _writer = Task.Run(WriteLoopAsync);
        _consumer = Task.Run(ConsumeAsync);
    }

    /// <summary>Stops consuming, writes the last partial batch, then leaves the consumer group.</summary>
    public async Task StopAsync()
    {
        _stopConsuming.Cancel();
        await _consumer.ConfigureAwait(false);
        await DrainAsync().ConfigureAwait(false);
        await FlushAsync().ConfigureAwait(false);
        _batches.Writer.TryComplete();
        await _writer.ConfigureAwait(false);
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
        bool any = true;
        while (any)
        {
            any = false;
            while (reader.TryRead(out var delivery))
            {
                any = true;
                await AddAsync(delivery).ConfigureAwait(false);
            }

            if (!any)
            {
                await Task.Delay(_options.StatusBatchMaxAge * 2).ConfigureAwait(false);
                if (reader.TryRead(out var late))
                {
                    any = true;
                    await AddAsync(late).ConfigureAwait(false);
                }
            }
        }
    }

    private async Task ConsumeAsync()
    {
        var token = _stopConsuming.Token;
        var reader = _subscription!.Deliveries;
        try
        {
            while (true)
            {
                // Not cancellable from here on: a delivery taken from the reader must reach a batch.
                while (reader.TryRead(out var delivery))
                {
                    await AddAsync(delivery).ConfigureAwait(false);
                }

                if (_batch.Count > 0 && Environment.TickCount64 >= _batchDeadline)
                {
                    await FlushAsync().ConfigureAwait(false);
                }

                if (_batch.Count == 0)
                {
                    if (!await reader.WaitToReadAsync(token).ConfigureAwait(false))
                    {
                        return;
                    }

                    continue;
                }

                // A partial batch and nothing to read: let events gather for a short pause (never past the batch's age
                // limit) instead of waking for each one; a wake-up per event was a large part of the status path's cost.
                long remaining = _batchDeadline - Environment.TickCount64;
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Clamp(remaining, 1, _pollMs)), token).ConfigureAwait(false);
                token.ThrowIfCancellationRequested();
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // shutdown: DrainAsync takes over the partial batch
        }
        catch (Exception ex)
        {
            PipelineLog.ConsumerFailed(_logger, ex, Topics.Status);
        }
    }

    private async ValueTask AddAsync(IDelivery delivery)
    {
        StatusEvent e;
        try
        {
            e = PipelineJson.DeserializeStatus(delivery.Payload.Span);
        }
        catch (JsonException ex)
        {
            PipelineLog.PoisonMessage(_logger, ex, delivery.Topic);
            await SafeSettleAsync(delivery.AckAsync(CancellationToken.None)).ConfigureAwait(false);
            return;
        }

        if (_batch.Count == 0)
        {
            _batchDeadline = Environment.TickCount64 + (long)_options.StatusBatchMaxAge.TotalMilliseconds;
        }

        _batch.Add(e, delivery);
        if (_batch.Count >= _options.StatusBatchSize)
        {
            await FlushAsync().ConfigureAwait(false);
        }
    }

    // Hands the current batch to the writer; waits while the writer still has one queued (backpressure).
    private async ValueTask FlushAsync()
    {
        if (_batch.Count == 0)
        {
            return;
        }

        var full = _batch;
        _batch = new StatusBatch(_options.StatusBatchSize);
        await _batches.Writer.WriteAsync(full, CancellationToken.None).ConfigureAwait(false);
    }

    private async Task WriteLoopAsync()
    {
        var reader = _batches.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (reader.TryRead(out var batch))
            {
                await WriteAsync(batch).ConfigureAwait(false);
            }
        }
    }

    private async Task WriteAsync(StatusBatch batch)
    {
        try
        {
            await _store.WriteBatchAsync(batch.Events, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            PipelineLog.StatusBatchFailed(_logger, ex, batch.Count);
            foreach (var delivery in batch.Deliveries)
            {
                await SafeSettleAsync(delivery.NakAsync(_options.StatusRetryDelay, CancellationToken.None)).ConfigureAwait(false);
            }

            return;
        }

        foreach (var delivery in batch.Deliveries)
        {
            await SafeSettleAsync(delivery.AckAsync(CancellationToken.None)).ConfigureAwait(false);
        }
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
