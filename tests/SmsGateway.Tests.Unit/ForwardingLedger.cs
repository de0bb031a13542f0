using SmsGateway.Billing;

namespace SmsGateway.Tests.Unit;

/// <summary>
/// An <see cref="IBalanceLedger"/> that forwards every single-item call to <paramref name="inner"/>, for tests that fault or
/// count one of them by overriding it. It implements none of the batch methods, so the interface's defaults (one
/// single-item call per item) apply. The three-argument capture goes through the four-argument one.
/// </summary>
internal abstract class ForwardingLedger(IBalanceLedger inner) : IBalanceLedger
{
    public virtual ValueTask<Balance> ChargeAsync(string userId, long amount, string chargeId, CancellationToken cancellationToken) =>
        inner.ChargeAsync(userId, amount, chargeId, cancellationToken);

    public virtual ValueTask<ReserveOutcome[]> ReserveAsync(string userId, IReadOnlyList<Reservation> reservations, long fencingToken, CancellationToken cancellationToken) =>
        inner.ReserveAsync(userId, reservations, fencingToken, cancellationToken);

    public ValueTask<SettleOutcome> CaptureAsync(string userId, Guid messageId, CancellationToken cancellationToken) =>
        CaptureAsync(userId, messageId, null, cancellationToken);

    public virtual ValueTask<SettleOutcome> CaptureAsync(string userId, Guid messageId, string? operatorMessageId, CancellationToken cancellationToken) =>
        inner.CaptureAsync(userId, messageId, operatorMessageId, cancellationToken);

    public virtual ValueTask<SettleOutcome> RefundAsync(string userId, Guid messageId, CancellationToken cancellationToken) =>
        inner.RefundAsync(userId, messageId, cancellationToken);

    public virtual ValueTask<Balance> GetBalanceAsync(string userId, CancellationToken cancellationToken) => inner.GetBalanceAsync(userId, cancellationToken);

    public virtual ValueTask<BeginSendResult> BeginSendAsync(string userId, Guid messageId, int attempt, CancellationToken cancellationToken) =>
        inner.BeginSendAsync(userId, messageId, attempt, cancellationToken);

    public virtual ValueTask<CancelOutcome> CancelAsync(string userId, Guid messageId, CancellationToken cancellationToken) =>
        inner.CancelAsync(userId, messageId, cancellationToken);

    public virtual ValueTask<ConfirmOutcome[]> ConfirmAsync(string userId, IReadOnlyList<Guid> messageIds, CancellationToken cancellationToken) =>
        inner.ConfirmAsync(userId, messageIds, cancellationToken);

    public virtual ValueTask<ReservationSweep> SweepExpiredAsync(TimeSpan confirmDeadline, int maxCount, CancellationToken cancellationToken) =>
        inner.SweepExpiredAsync(confirmDeadline, maxCount, cancellationToken);
}
