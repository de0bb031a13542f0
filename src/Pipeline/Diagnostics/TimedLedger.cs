using System.Diagnostics;
using SmsGateway.Billing;

namespace SmsGateway.Diagnostics;

/// <summary>
/// Times the pipeline's ledger calls (reserve, confirm, capture, refund, cancel, begin-send, and the dispatch batches
/// <c>begin_send_batch</c> and <c>settle_batch</c>) into <c>sms.ledger.duration</c> (ms, by operation and outcome).
/// Charge, balance reads and the expiry sweep pass straight through. Takes no timestamp while nobody reads the histogram.
/// </summary>
/// <remarks>Thread-safe as the ledger it wraps; exceptions of the ledger pass through unchanged.</remarks>
internal sealed class TimedLedger(IBalanceLedger inner, PipelineMetrics metrics) : IBalanceLedger
{
    public ValueTask<Balance> ChargeAsync(string userId, long amount, string chargeId, CancellationToken cancellationToken) =>
        inner.ChargeAsync(userId, amount, chargeId, cancellationToken);

    public ValueTask<Balance> GetBalanceAsync(string userId, CancellationToken cancellationToken) => inner.GetBalanceAsync(userId, cancellationToken);

    public ValueTask<ReserveOutcome[]> ReserveAsync(string userId, IReadOnlyList<Reservation> reservations, long fencingToken, CancellationToken cancellationToken)
    {
        if (!metrics.CallsObserved)
        {
            return inner.ReserveAsync(userId, reservations, fencingToken, cancellationToken);
        }

        long start = Stopwatch.GetTimestamp();
        return TimeAsync(inner.ReserveAsync(userId, reservations, fencingToken, cancellationToken), "reserve", start);
    }

    public ValueTask<SettleOutcome> CaptureAsync(string userId, Guid messageId, CancellationToken cancellationToken)
    {
        if (!metrics.CallsObserved)
        {
            return inner.CaptureAsync(userId, messageId, cancellationToken);
        }

        long start = Stopwatch.GetTimestamp();
        return TimeAsync(inner.CaptureAsync(userId, messageId, cancellationToken), "capture", start);
    }

    public ValueTask<SettleOutcome> RefundAsync(string userId, Guid messageId, CancellationToken cancellationToken)
    {
        if (!metrics.CallsObserved)
        {
            return inner.RefundAsync(userId, messageId, cancellationToken);
        }

        long start = Stopwatch.GetTimestamp();
        return TimeAsync(inner.RefundAsync(userId, messageId, cancellationToken), "refund", start);
    }

    public ValueTask<ConfirmOutcome[]> ConfirmAsync(string userId, IReadOnlyList<Guid> messageIds, CancellationToken cancellationToken)
    {
        if (!metrics.CallsObserved)
        {
            return inner.ConfirmAsync(userId, messageIds, cancellationToken);
        }

        long start = Stopwatch.GetTimestamp();
        return TimeAsync(inner.ConfirmAsync(userId, messageIds, cancellationToken), "confirm", start);
    }

    public ValueTask<ConfirmOutcome[]> ConfirmManyAsync(IReadOnlyList<ConfirmRequest> items, CancellationToken cancellationToken)
    {
        if (!metrics.CallsObserved)
        {
            return inner.ConfirmManyAsync(items, cancellationToken);
        }

        long start = Stopwatch.GetTimestamp();
        return TimeAsync(inner.ConfirmManyAsync(items, cancellationToken), "confirm_batch", start);
    }

    public ValueTask<ReservationSweep> SweepExpiredAsync(TimeSpan confirmDeadline, int maxCount, CancellationToken cancellationToken) =>
        inner.SweepExpiredAsync(confirmDeadline, maxCount, cancellationToken);

    public ValueTask<CancelOutcome> CancelAsync(string userId, Guid messageId, CancellationToken cancellationToken)
    {
        if (!metrics.CallsObserved)
        {
            return inner.CancelAsync(userId, messageId, cancellationToken);
        }

        long start = Stopwatch.GetTimestamp();
        return TimeAsync(inner.CancelAsync(userId, messageId, cancellationToken), "cancel", start);
    }

    public ValueTask<BeginSendResult> BeginSendAsync(string userId, Guid messageId, int attempt, CancellationToken cancellationToken)
    {
        if (!metrics.CallsObserved)
        {
            return inner.BeginSendAsync(userId, messageId, attempt, cancellationToken);
        }

        long start = Stopwatch.GetTimestamp();
        return TimeAsync(inner.BeginSendAsync(userId, messageId, attempt, cancellationToken), "begin_send", start);
    }

    public ValueTask<SettleOutcome> CaptureAsync(string userId, Guid messageId, string? operatorMessageId, CancellationToken cancellationToken)
    {
        if (!metrics.CallsObserved)
        {
            return inner.CaptureAsync(userId, messageId, operatorMessageId, cancellationToken);
        }

        long start = Stopwatch.GetTimestamp();
        return TimeAsync(inner.CaptureAsync(userId, messageId, operatorMessageId, cancellationToken), "capture", start);
    }

    public ValueTask<BeginSendResult[]> BeginSendManyAsync(IReadOnlyList<BeginSendRequest> items, CancellationToken cancellationToken)
    {
        if (!metrics.CallsObserved)
        {
            return inner.BeginSendManyAsync(items, cancellationToken);
        }

        long start = Stopwatch.GetTimestamp();
        return TimeAsync(inner.BeginSendManyAsync(items, cancellationToken), "begin_send_batch", start);
    }

    public ValueTask<SettleOutcome[]> SettleManyAsync(IReadOnlyList<SettleRequest> items, CancellationToken cancellationToken)
    {
        if (!metrics.CallsObserved)
        {
            return inner.SettleManyAsync(items, cancellationToken);
        }

        long start = Stopwatch.GetTimestamp();
        return TimeAsync(inner.SettleManyAsync(items, cancellationToken), "settle_batch", start);
    }

    /// <summary>The wrapped ledger (dispatch calls an in-process ledger item by item: batching saves it no round trip).</summary>
    internal IBalanceLedger Inner => inner;

    private async ValueTask<T> TimeAsync<T>(ValueTask<T> call, string operation, long start)
    {
        bool ok = false;
        try
        {
            var result = await call.ConfigureAwait(false);
            ok = true;
            return result;
        }
        finally
        {
            metrics.LedgerCall(operation, ok, Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
    }
}
