using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Threading.Tasks.Dataflow;
using Microsoft.Extensions.Logging;
using SmsGateway.Billing;
using SmsGateway.Diagnostics;
using SmsGateway.Model;
using SmsGateway.Receipts;
using SmsGateway.Routing;
using SmsGateway.Scheduling;
using SmsGateway.Serialization;
using SmsGateway.Status;
using SmsGateway.Transport;

namespace SmsGateway.Dispatch;

/// <summary>
/// The dispatch half of the graph (lanes built by <see cref="PipelineGraph.Lane"/>): consume <c>sms-express</c>,
/// <c>sms-normal</c> and <c>sms-dlq</c> (competing consumers), queue each message in its operator's lane, send it, then
/// capture and report <c>sent</c>; or, on a transient failure, publish the next attempt to <c>sms-dlq</c> with its
/// backoff; or, on a permanent failure or the last retry, refund and report <c>failed</c>. A delivery is acked only after
/// its side effects, so a crash repeats them (each is idempotent by message id and attempt) rather than losing them.
/// </summary>
internal sealed partial class DispatchStage
{
    // The floor of a busy lane's full-lane pause, so that a handed-back message is not offered again in the same instant.
    private static readonly TimeSpan ShortestLaneFullPause = TimeSpan.FromMilliseconds(10);

    private readonly PipelineOptions _options;
    private readonly IMessageTransport _transport;
    private readonly IBalanceLedger _ledger;
    private readonly IOperatorClient _client;
    private readonly OperatorTableSource _routes;
    private readonly StatusPublisher _status;
    private readonly ReceiptCorrelator _receipts;
    private readonly PipelineMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, OperatorLane> _lanes = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<ConsumerSupervisor> _consumers = [];

    // Group commit of begin-sends and of captures/refunds (null: one ledger call per message, for an in-process ledger).
    private readonly LedgerBatcher<BeginSendRequest, BeginSendResult>? _beginSends;
    private readonly LedgerBatcher<SettleRequest, SettleOutcome>? _settles;

    public DispatchStage(PipelineOptions options, IMessageTransport transport, IBalanceLedger ledger, IOperatorClient client,
        OperatorTableSource routes, StatusPublisher status, ReceiptCorrelator receipts, PipelineMetrics metrics, TimeProvider time, ILogger logger)
    {
        _receipts = receipts;
        _options = options;
        _transport = transport;
        _ledger = ledger;
        _client = client;
        _routes = routes;
        _status = status;
        _metrics = metrics;
        _time = time;
        _logger = logger;

        if (LedgerBatcher.Pays(ledger, options.DispatchLedgerBatch)) // docs: bench/README.md "Cost model"
        {
            _beginSends = new LedgerBatcher<BeginSendRequest, BeginSendResult>(ledger.BeginSendManyAsync, options.DispatchLedgerBatch);
            _settles = new LedgerBatcher<SettleRequest, SettleOutcome>(ledger.SettleManyAsync, options.DispatchLedgerBatch);
        }
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _routes.Reloaded += OnRoutesReloaded;
        var subscription = new SubscriptionOptions { MaxInFlight = _options.MaxInFlight, AckWait = _options.AckWait };
        foreach (var (topic, group) in new[] { (Topics.Express, _options.DispatchGroup), (Topics.Normal, _options.DispatchGroup), (Topics.DeadLetter, _options.RetryGroup) })
        {
            bool isRetry = topic == Topics.DeadLetter;
            var consumer = new ConsumerSupervisor(_transport, topic, group, subscription, (sub, token) => ConsumeAsync(sub, isRetry, token),
                _options.ConsumerRestartMax, _metrics, _logger);
            await consumer.StartAsync(cancellationToken).ConfigureAwait(false);
            _consumers.Add(consumer);
        }

        _metrics.LaneQueueDepth = MeasureLanes;
    }

    /// <summary>Stops consuming, lets the lanes send what they hold, then leaves the consumer groups.</summary>
    public async Task StopAsync()
    {
        _metrics.LaneQueueDepth = null;
        _routes.Reloaded -= OnRoutesReloaded;
        await Task.WhenAll(_consumers.Select(c => c.StopLoopAsync())).ConfigureAwait(false);
        await AbandonQueuedAsync().ConfigureAwait(false);
        foreach (var lane in _lanes.Values)
        {
            await lane.DisposeAsync().ConfigureAwait(false);
        }

        // The lanes' sends are done: write the last batches (a later call, e.g. of a consumer still leaving, goes alone).
        if (_beginSends is not null && _settles is not null)
        {
            await _beginSends.DisposeAsync().ConfigureAwait(false);
            await _settles.DisposeAsync().ConfigureAwait(false);
        }

        foreach (var consumer in _consumers)
        {
            await consumer.StopAsync().ConfigureAwait(false);
        }
    }

    // One subscription's deliveries until the channel completes (returns) or faults (throws: the supervisor subscribes again).
    private async Task ConsumeAsync(IMessageSubscription subscription, bool isRetry, CancellationToken token)
    {
        var reader = subscription.Deliveries;
        while (await reader.WaitToReadAsync(token).ConfigureAwait(false))
        {
            while (reader.TryRead(out var delivery))
            {
                try
                {
                    await RouteAsync(delivery, isRetry, token).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !token.IsCancellationRequested)
                {
                    // One delivery's nak or dead-letter did not reach the broker: it comes back after the ack wait; go on.
                    PipelineLog.ConsumerFailed(_logger, ex, subscription.Topic);
                }
            }
        }
    }

    private IEnumerable<Measurement<long>> MeasureLanes()
    {
        foreach (var lane in _lanes.Values)
        {
            yield return new Measurement<long>(lane.Queued, new KeyValuePair<string, object?>("operator", lane.Operator.Name));
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))] // one per message: the state machine box is pooled (docs: bench/README.md)
    private async ValueTask RouteAsync(IDelivery delivery, bool isRetry, CancellationToken token)
    {
        _metrics.Delivered(delivery);
        using var activity = PipelineTelemetry.StartConsumer("dispatch", delivery);
        var trace = activity?.Context ?? default;
        // In the same process the accept stage's messages come along and are taken as they are (TransportCodec.DecodedMessages).
        TransportCodec.DecodedMessages(delivery, out var handed, out var handedFrame);
        if (handedFrame is not null || (handed is null && MessageFrameJson.IsFrame(delivery.Payload.Span)))
        {
            await RouteFrameAsync(delivery, handedFrame, activity, token).ConfigureAwait(false);
            return;
        }

        SmsMessage message;
        try
        {
            message = handed ?? PipelineJson.DeserializeMessage(delivery.Payload.Span);
        }
        catch (JsonException ex)
        {
            PipelineTelemetry.Fail(activity, "poison_message");
            await PoisonDelivery.DeadLetterAsync(delivery, ex, _options, _metrics, _logger).ConfigureAwait(false);
            return;
        }

        activity?.SetTag("sms.message_id", message.Id.ToString());
        activity?.SetTag("sms.attempt", message.Attempt);
        if (isRetry && message.NotBefore is { } due && due > _time.GetUtcNow())
        {
            activity?.SetTag("sms.dispatch.deferred", true);
            await delivery.NakAsync(due - _time.GetUtcNow(), CancellationToken.None).ConfigureAwait(false);
            return;
        }

        var lane = GetLane(message.Operator);
        if (lane is null)
        {
            PipelineLog.UnknownOperator(_logger, message.Id, message.Operator);
            await SettleAsync(new DispatchWork(message, delivery, trace), new SendResult(SendOutcome.PermanentFailure, "no_route")).ConfigureAwait(false);
            return;
        }

        if (!lane.Post(new DispatchWork(message, delivery, trace)))
        {
            // Full (or stopping): hand the message back instead of waiting, so this consumer goes on feeding the other
            // operators' lanes (issue 14, item 7); the broker delivers it again after the pause.
            var pause = token.IsCancellationRequested ? TimeSpan.Zero : LaneFullPause(lane);
            await delivery.NakAsync(pause, CancellationToken.None).ConfigureAwait(false);
        }
    }

    // About the time the lane needs to send half of what it holds (docs/architecture.md "Message frames"). A rate-limited
    // lane: at its limit, within [LaneFullDelay, AckWait / 2]. Any other lane: at the rate it sent over the last 100 ms or
    // so (OperatorLane.SendRate), within [ShortestLaneFullPause, LaneFullDelay]; a lane that does not send (stalled) thus
    // gets LaneFullDelay, and one whose rate is not measured yet gets one measuring window. Before the measured rate, a busy
    // lane that missed a frame's room budget had its messages back only after LaneFullDelay (1 s), long after it drained
    // (bench/README.md "Full lanes pause as long as they take to drain").
    private TimeSpan LaneFullPause(OperatorLane lane)
    {
        int limit = lane.Operator.RateLimitPerSecond;
        if (limit > 0)
        {
            var drain = TimeSpan.FromSeconds(lane.Queued / (2.0 * limit));
            var longest = _options.AckWait / 2;
            return drain < _options.LaneFullDelay ? _options.LaneFullDelay : drain > longest ? longest : drain;
        }

        var full = _options.LaneFullDelay;
        var pause = lane.SendRate switch
        {
            null => OperatorLane.RateWindow,
            > 0 and var rate => TimeSpan.FromSeconds(Math.Min(lane.Queued / (2.0 * rate), full.TotalSeconds)),
            _ => full,
        };
        var shortest = ShortestLaneFullPause < full ? ShortestLaneFullPause : full; // a LaneFullDelay set below the floor is kept
        return pause < shortest ? shortest : pause > full ? full : pause;
    }

    private void OnRoutesReloaded(OperatorTable table)
    {
        foreach (var lane in _lanes.Values)
        {
            if (table.FindByName(lane.Operator.Name) is { } op)
            {
                lane.Update(op);
            }
        }
    }

    private OperatorLane? GetLane(string operatorName)
    {
        if (_lanes.TryGetValue(operatorName, out var lane))
        {
            return lane;
        }

        var op = _routes.Current.FindByName(operatorName);
        if (op is null)
        {
            return null;
        }

        // A lane starts workers, so two consumers racing here must not both build one (GetOrAdd's factory may run twice).
        lock (_lanes)
        {
            if (!_lanes.TryGetValue(op.Name, out lane))
            {
                lane = PipelineGraph.Lane(op, _options, SendAsync, _logger);
                _lanes[op.Name] = lane;
            }

            return lane;
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))] // one per message: the state machine box is pooled (docs: bench/README.md)
    private async ValueTask SendAsync(DispatchWork work, OperatorInfo op, SendTimeout timeout)
    {
        if (await ExpireIfPastValidityAsync(work).ConfigureAwait(false))
        {
            return;
        }

        var message = work.Message;
        if (await BeginSendAsync(work, op).ConfigureAwait(false) is { } settled)
        {
            if (settled != Handled)
            {
                await SettleAsync(work, settled).ConfigureAwait(false); // this attempt was answered before: settle that answer, do not send
            }

            return;
        }

        using var activity = PipelineTelemetry.Source.HasListeners() ? PipelineTelemetry.Start("send " + op.Name, ActivityKind.Client, work.Trace) : null;
        activity?.SetTag("sms.message_id", message.Id.ToString());
        if (_options.EmitSendingStatus)
        {
            await _status.TryPublishAsync(StatusEvent.For(message, MessageStatus.Sending, _time.GetUtcNow()), CancellationToken.None).ConfigureAwait(false);
        }

        SendResult result;
        _metrics.SendStarted(op.Name);
        try
        {
            var pending = _client.SendAsync(message, timeout.Token);
            if (!pending.IsCompleted)
            {
                timeout.Arm(op.SendTimeout);
            }

            result = await pending.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeout.Elapsed)
        {
            result = new SendResult(SendOutcome.TransientFailure, "timeout");
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            result = new SendResult(SendOutcome.TransientFailure, "client_error:" + ex.GetType().Name);
        }
        finally
        {
            timeout.Reset();
            _metrics.SendEnded(op.Name);
        }

        if (result.Outcome != SendOutcome.Accepted)
        {
            PipelineTelemetry.Fail(activity, result.ErrorCode ?? result.Outcome.ToString());
        }

        activity?.Dispose(); // ends the send span here: settle is its sibling under the dispatch span

        _metrics.Send(op.Name, result.Outcome switch
        {
            SendOutcome.Accepted => "accepted",
            SendOutcome.TransientFailure => "transient",
            _ => "permanent",
        });
        if (result is { Outcome: SendOutcome.Accepted, OperatorMessageId: { } operatorMessageId })
        {
            // Before "sent" is reported, so that a receipt the SMSC sends right away is matched (or is matched from its parking).
            await _receipts.RegisterAsync(op.Name, operatorMessageId, message, CancellationToken.None).ConfigureAwait(false);
        }

        await SettleAsync(work, result).ConfigureAwait(false);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))] // one per message: the state machine box is pooled (docs: bench/README.md)
    private async ValueTask SettleAsync(DispatchWork work, SendResult result)
    {
        var message = work.Message;
        using var activity = PipelineTelemetry.Start("settle", ActivityKind.Internal, work.Trace);
        try
        {
            var now = _time.GetUtcNow();
            TimeSpan? retryDelay = result.Outcome == SendOutcome.TransientFailure && _options.Retry.CanRetry(message.Attempt)
                ? _options.Retry.DelayBefore(message.Attempt + 1)
                : null;
            if (result.Outcome == SendOutcome.Accepted)
            {
                activity?.SetTag("sms.settle", "capture");
                var captured = await CaptureAsync(message, result.OperatorMessageId).ConfigureAwait(false);
                await _status.PublishAsync(StatusEvent.For(message, StatusAfter("capture", captured, message), now, CodeAfter(captured)), message.CallbackUrl, CancellationToken.None).ConfigureAwait(false);
            }
            else if (retryDelay is { } delay && message.ValidUntil is { } validUntil && now + delay >= validUntil)
            {
                // The next attempt would start after the validity: expire now instead of re-queueing (README "Scheduling, validity and cancel").
                activity?.SetTag("sms.settle", "expire");
                var refund = await RefundAsync(message).ConfigureAwait(false);
                SchedulingLog.Expired(_logger, message.Id, message.Attempt, validUntil, refund);
                if (refund is SettleOutcome.Settled or SettleOutcome.NotReserved)
                {
                    await _status.PublishAsync(StatusEvent.For(message, MessageStatus.Expired, now, result.ErrorCode ?? "validity_period"), message.CallbackUrl, CancellationToken.None).ConfigureAwait(false);
                }
            }
            else if (retryDelay is { } backoff)
            {
                var next = message with { Attempt = message.Attempt + 1, NotBefore = now + backoff };
                activity?.SetTag("sms.settle", "retry");
                await _transport.PublishAsync(Topics.DeadLetter, TransportCodec.ForMessage(next), CancellationToken.None).ConfigureAwait(false);
                _metrics.DeadLettered(message.Operator);
                await _status.PublishAsync(StatusEvent.For(message, MessageStatus.Retrying, now, result.ErrorCode), CancellationToken.None).ConfigureAwait(false);
            }
            else
            {
                activity?.SetTag("sms.settle", "refund");
                if (result.Outcome == SendOutcome.TransientFailure)
                {
                    _metrics.RetriesExhausted(message.Operator);
                }

                var refunded = await RefundAsync(message).ConfigureAwait(false);
                var status = StatusAfter("refund", refunded, message);
                await _status.PublishAsync(StatusEvent.For(message, status, now, status == MessageStatus.Failed ? result.ErrorCode ?? "failed" : null), message.CallbackUrl, CancellationToken.None).ConfigureAwait(false);
            }

            await work.Delivery.AckAsync(CancellationToken.None).ConfigureAwait(false);
            ForgetUnsettled(message);
        }
        catch (Exception ex)
        {
            RememberUnsettled(message, result);

            // Ledger, broker or anything else: the lane must survive; the message comes back after the outage pause.
            PipelineTelemetry.Fail(activity, "side_effect_failed");
            await NakForOutageAsync(work, ex).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Validity check, right before the operator send: a message past its <see cref="SmsMessage.ValidUntil"/> is not sent;
    /// its reservation is refunded, <c>expired</c> is published (final) and the delivery acked. True when it expired.
    /// A reservation settled already (canceled, or captured by an earlier delivery) is only acked.
    /// </summary>
    private async ValueTask<bool> ExpireIfPastValidityAsync(DispatchWork work)
    {
        var message = work.Message;
        var now = _time.GetUtcNow();
        if (message.ValidUntil is not { } validUntil || now < validUntil)
        {
            return false;
        }

        try
        {
            var refund = await RefundAsync(message).ConfigureAwait(false);
            SchedulingLog.Expired(_logger, message.Id, message.Attempt, validUntil, refund);
            if (refund is SettleOutcome.Settled or SettleOutcome.NotReserved)
            {
                await _status.PublishAsync(StatusEvent.For(message, MessageStatus.Expired, now, "validity_period"), message.CallbackUrl, CancellationToken.None).ConfigureAwait(false);
            }

            await work.Delivery.AckAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            await NakForOutageAsync(work, ex).ConfigureAwait(false);
        }

        return true;
    }
}
