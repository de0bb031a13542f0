using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using SmsGateway.Billing;
using SmsGateway.Model;
using SmsGateway.Routing;
using SmsGateway.Transport;

namespace SmsGateway.Dispatch;

/// <summary>Idempotent dispatch (README "Durability"): the ledger's begin-send step before each operator send.</summary>
internal sealed partial class DispatchStage
{
    private const int MaxUnsettled = 100_000;
    private static readonly SendResult Handled = new(SendOutcome.PermanentFailure, "not_sent");

    // Operator answers whose settle failed (ledger or broker down), by message and attempt: the redelivery of that attempt
    // settles this answer instead of sending again. Bounded; an entry leaves when its settle succeeds.
    private readonly ConcurrentDictionary<(Guid Id, int Attempt), SendResult> _unsettled = new();

    // Entries in _unsettled. ConcurrentDictionary's Count takes every lock, and so does IsEmpty when the dictionary is empty,
    // which is the usual case: every settle read it, and the lane workers queued on those locks (bench/README.md "Full
    // lanes pause as long as they take to drain").
    private int _unsettledCount;

    /// <summary>
    /// One ledger step (<see cref="IBalanceLedger.BeginSendAsync"/>, batched with the other lane workers' in one
    /// <see cref="IBalanceLedger.BeginSendManyAsync"/> call) before the operator send. Null: send it. Otherwise the
    /// message is not sent: an <see cref="SendOutcome.Accepted"/> result is an attempt the operator accepted before (the
    /// caller captures it); any other result means this method already settled the delivery (acked with a final status, or
    /// nak'ed with the outage backoff while the ledger is down, or until another copy's send of this attempt, started at
    /// most <paramref name="op"/>'s send timeout plus <see cref="PipelineOptions.SettleGrace"/> ago, has settled).
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))] // one per message: the state machine box is pooled (docs: bench/README.md)
    private async ValueTask<SendResult?> BeginSendAsync(DispatchWork work, OperatorInfo op)
    {
        var message = work.Message;
        BeginSendResult begin;
        try
        {
            begin = _beginSends is null
                ? await _ledger.BeginSendAsync(message.UserId, message.Id, message.Attempt, CancellationToken.None).ConfigureAwait(false)
                : await _beginSends.RunAsync(new BeginSendRequest(message.UserId, message.Id, message.Attempt)).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            var pause = OutagePause(work);
            PipelineLog.BeginSendFailed(_logger, ex, message.Id, message.Attempt, pause.TotalMilliseconds);
            _metrics.OutageNak(work.Delivery.Topic);
            await NakQuietlyAsync(work, pause).ConfigureAwait(false);
            return Handled;
        }

        // A copy of an attempt whose send may still be under way (the broker redelivered it, or two frames hold it) waits
        // until that send must have settled; only a start older than that is a dispatcher that died (README "Durability").
        var settling = begin is { Outcome: BeginSendOutcome.AttemptStarted, OperatorMessageId: null, StartedAgo: { } ago }
            && !_unsettled.ContainsKey((message.Id, message.Attempt))
            ? op.SendTimeout + _options.SettleGrace - ago
            : TimeSpan.Zero;
        _metrics.BeginSend(begin.Outcome switch
        {
            BeginSendOutcome.Send => "send",
            BeginSendOutcome.AlreadyCaptured => "already_captured",
            BeginSendOutcome.Refunded => "refunded",
            BeginSendOutcome.AttemptStarted when settling > TimeSpan.Zero => "attempt_in_progress",
            BeginSendOutcome.AttemptStarted => "attempt_started",
            BeginSendOutcome.Superseded => "superseded",
            _ => "not_reserved",
        });
        if (settling > TimeSpan.Zero)
        {
            PipelineLog.AttemptInProgress(_logger, message.Id, message.Attempt, begin.StartedAgo!.Value.TotalMilliseconds, settling.TotalMilliseconds);
            await NakQuietlyAsync(work, settling).ConfigureAwait(false);
            return Handled;
        }

        if (begin.Outcome == BeginSendOutcome.Superseded)
        {
            // A stale redelivery of an attempt that already failed over to its retry: the later attempt reports the statuses.
            PipelineLog.NotSent(_logger, message.Id, message.Attempt, begin.Outcome);
            ForgetUnsettled(message);
            await AckOrNakAsync(work).ConfigureAwait(false);
            return Handled;
        }

        if (begin.Outcome != BeginSendOutcome.Send && _unsettled.TryGetValue((message.Id, message.Attempt), out var known))
        {
            // This process has the operator's answer to this attempt and its settle failed part-way (ledger or broker
            // down): finish that settle (idempotent) with the original outcome and error code; never send again.
            return known;
        }

        switch (begin.Outcome)
        {
            case BeginSendOutcome.Send:
                return null;
            case BeginSendOutcome.AttemptStarted when begin.OperatorMessageId is { } accepted:
                return new SendResult(SendOutcome.Accepted, null, accepted);
            case BeginSendOutcome.AttemptStarted:
                PipelineLog.AttemptResent(_logger, message.Id, message.Attempt);
                return null;
        }

        // Captured, refunded or unknown to the ledger: never send; make sure a final status exists, then ack. The status
        // repeats the one its settle published (same status and attempt: the store keeps one row, docs/architecture.md
        // "Statuses and reports"): "sent" at the attempt that was captured; "failed" at this attempt when this attempt's send had
        // started (dispatch refunded it after the operator's final answer). The "failed" of a message refunded before its
        // send is published at attempt 0, so the final status of whoever refunded it (canceled, expired, rejected
        // "reservation_expired", all attempt 0 and ranked above failed: StatusPrecedence) stays the one reported.
        PipelineLog.NotSent(_logger, message.Id, message.Attempt, begin.Outcome);
        var (status, code, attempt) = begin.Outcome switch
        {
            BeginSendOutcome.AlreadyCaptured => (MessageStatus.Sent, (string?)null, begin.StartedAttempt > 0 ? begin.StartedAttempt : message.Attempt),
            BeginSendOutcome.Refunded when begin.StartedAttempt == message.Attempt => (MessageStatus.Failed, "failed", message.Attempt),
            BeginSendOutcome.Refunded => (MessageStatus.Failed, "refunded_before_send", 0),
            _ => (MessageStatus.Failed, "not_reserved", 0),
        };
        try
        {
            await _status.PublishAsync(StatusEvent.For(message, status, _time.GetUtcNow(), code, attempt), message.CallbackUrl, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            await NakForOutageAsync(work, ex).ConfigureAwait(false);
            return Handled;
        }

        await AckOrNakAsync(work).ConfigureAwait(false);
        return Handled;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))] // one per message: the state machine box is pooled (docs: bench/README.md)
    private async ValueTask AckOrNakAsync(DispatchWork work)
    {
        try
        {
            await work.Delivery.AckAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            await NakForOutageAsync(work, ex).ConfigureAwait(false);
        }
    }

    // Capture (with the operator's message id) and refund, batched with the other workers' settles when the ledger is remote.
    private ValueTask<SettleOutcome> CaptureAsync(SmsMessage message, string? operatorMessageId) => _settles is null
        ? _ledger.CaptureAsync(message.UserId, message.Id, operatorMessageId, CancellationToken.None)
        : new(_settles.RunAsync(new SettleRequest(message.UserId, message.Id, SettleKind.Capture, operatorMessageId)));

    private ValueTask<SettleOutcome> RefundAsync(SmsMessage message) => _settles is null
        ? _ledger.RefundAsync(message.UserId, message.Id, CancellationToken.None)
        : new(_settles.RunAsync(new SettleRequest(message.UserId, message.Id, SettleKind.Refund)));

    private void RememberUnsettled(SmsMessage message, SendResult result)
    {
        if (Volatile.Read(ref _unsettledCount) >= MaxUnsettled)
        {
            return;
        }

        if (_unsettled.TryAdd((message.Id, message.Attempt), result))
        {
            Interlocked.Increment(ref _unsettledCount);
        }
        else
        {
            _unsettled[(message.Id, message.Attempt)] = result;
        }
    }

    private void ForgetUnsettled(SmsMessage message)
    {
        // An attempt's entry is remembered by a failed settle and forgotten by a later successful one, so the count read here
        // already includes it. Were two deliveries of one attempt to settle at once, a missed entry would stay, counted
        // against MaxUnsettled, as IsEmpty's answer could miss it before.
        if (Volatile.Read(ref _unsettledCount) > 0 && _unsettled.TryRemove((message.Id, message.Attempt), out _))
        {
            Interlocked.Decrement(ref _unsettledCount);
        }
    }

    /// <summary>
    /// The status that matches the ledger after a capture or refund. A capture that finds the reservation refunded (a cancel,
    /// expiry sweep or earlier failure won the race) reports <c>failed</c>; a refund that finds it captured reports
    /// <c>sent</c>. Each mismatch is logged and counted (<c>sms.ledger.settle_mismatches</c>).
    /// </summary>
    private MessageStatus StatusAfter(string operation, SettleOutcome outcome, SmsMessage message)
    {
        bool capture = operation == "capture";
        if (outcome is SettleOutcome.SettledOtherwise or SettleOutcome.NotReserved)
        {
            PipelineLog.SettleMismatch(_logger, operation, message.Id, outcome);
            _metrics.SettleMismatch(operation, outcome == SettleOutcome.NotReserved ? "not_reserved" : "settled_otherwise");
        }

        return outcome == SettleOutcome.SettledOtherwise ? (capture ? MessageStatus.Failed : MessageStatus.Sent)
            : capture ? MessageStatus.Sent : MessageStatus.Failed;
    }

    private static string? CodeAfter(SettleOutcome captured) => captured == SettleOutcome.SettledOtherwise ? "refunded_before_capture" : null;

    // Ledger, store or broker failed while a delivery's side effects ran: nak it with a pause that grows with each delivery
    // (OutageRetryMin..OutageRetryMax); the nak is not a send attempt (the payload's Attempt is unchanged).
    private ValueTask NakForOutageAsync(DispatchWork work, Exception error)
    {
        var pause = OutagePause(work);
        PipelineLog.OutageNak(_logger, error, work.Message.Id, work.Message.Attempt, work.Delivery.DeliveryCount, pause.TotalMilliseconds);
        _metrics.OutageNak(work.Delivery.Topic);
        return NakQuietlyAsync(work, pause);
    }

    private TimeSpan OutagePause(DispatchWork work) => OutageBackoff.For(work.Delivery.DeliveryCount, _options.OutageRetryMin, _options.OutageRetryMax);

    private async ValueTask NakQuietlyAsync(DispatchWork work, TimeSpan pause)
    {
        try
        {
            await work.Delivery.NakAsync(pause, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception nakError)
        {
            // The broker redelivers after the ack wait anyway.
            PipelineLog.DispatchSideEffectFailed(_logger, nakError, work.Message.Id, work.Message.Attempt);
        }
    }
}
