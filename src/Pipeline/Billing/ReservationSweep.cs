namespace SmsGateway.Billing;

/// <summary>Outcome of one <see cref="IBalanceLedger.SweepExpiredAsync"/> call.</summary>
/// <param name="Refunded">Reservations refunded by this call (another sweeper never refunds the same one).</param>
/// <param name="Examined">Due pending entries looked at (refunded, or only dropped from the index because the message was
/// stored, its send had started or it was settled). When it equals the call's limit, more may be due.</param>
public sealed record ReservationSweep(IReadOnlyList<ExpiredReservation> Refunded, int Examined);
