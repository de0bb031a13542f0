namespace SmsGateway.Billing;

/// <summary>
/// Per-user balance ledger in integer minor currency units (DESIGN.md "Money"). For each user it keeps
/// <c>available</c>, <c>reserved</c> and <c>spent</c>; at every instant <c>available + reserved + spent == charged</c>
/// and no field is negative. Reserve moves a message's cost available→reserved, capture reserved→spent, refund
/// reserved→available; each is idempotent by message id, and capture and refund of one message exclude each other.
/// </summary>
/// <remarks>Thread-safe. Reservations are made under the user's distributed lock; the fencing token of that lock
/// is passed to <see cref="ReserveAsync"/> so a holder whose lock expired cannot commit.</remarks>
public interface IBalanceLedger
{
    /// <summary>Adds <paramref name="amount"/> to the user's available balance; idempotent by <paramref name="chargeId"/>.</summary>
    /// <param name="userId">The user.</param>
    /// <param name="amount">Minor units, &gt; 0.</param>
    /// <param name="chargeId">De-duplication id of this charge (an idempotency key or a new GUID).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The balance after the charge (or after the first charge with this id).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="amount"/> is not positive.</exception>
    /// <exception cref="LedgerUnavailableException">The ledger store could not be reached in time.</exception>
    ValueTask<Balance> ChargeAsync(string userId, long amount, string chargeId, CancellationToken cancellationToken);

    /// <summary>
    /// Reserves the cost of each message of one user, in order, while the balance covers it. One call covers a batch so the
    /// lock and the round trip are paid once per batch.
    /// </summary>
    /// <param name="userId">The user owning every reservation.</param>
    /// <param name="reservations">Message ids and costs (minor units, &gt;= 0).</param>
    /// <param name="fencingToken">Token of the lock grant under which the caller acts; rejected if older than one already seen.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>One outcome per reservation, same order.</returns>
    /// <exception cref="LedgerUnavailableException">The ledger store could not be reached in time.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A reservation's cost is negative.</exception>
    ValueTask<ReserveOutcome[]> ReserveAsync(string userId, IReadOnlyList<Reservation> reservations, long fencingToken, CancellationToken cancellationToken);

    /// <summary>Moves a message's reservation to spent. Idempotent.</summary>
    /// <returns>What happened; <see cref="SettleOutcome.NotReserved"/> when nothing was reserved for the message.</returns>
    /// <exception cref="LedgerUnavailableException">The ledger store could not be reached in time.</exception>
    ValueTask<SettleOutcome> CaptureAsync(string userId, Guid messageId, CancellationToken cancellationToken);

    /// <summary>Returns a message's reservation to available. Idempotent.</summary>
    /// <exception cref="LedgerUnavailableException">The ledger store could not be reached in time.</exception>
    ValueTask<SettleOutcome> RefundAsync(string userId, Guid messageId, CancellationToken cancellationToken);

    /// <summary>The user's balance; all zero for an unknown user.</summary>
    /// <exception cref="LedgerUnavailableException">The ledger store could not be reached in time.</exception>
    ValueTask<Balance> GetBalanceAsync(string userId, CancellationToken cancellationToken);

    /// <summary>
    /// Cancels a message that has not started sending: refunds its reservation only while it is reserved (not captured,
    /// not refunded) and no operator send has started (<see cref="BeginSendAsync"/> not called). One atomic step, so a cancel
    /// racing the dispatcher's begin-send has exactly one winner.
    /// </summary>
    /// <param name="userId">The owner of the reservation.</param>
    /// <param name="messageId">The message.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>What happened; only <see cref="CancelOutcome.Canceled"/> changed the balance (reserved → available).</returns>
    /// <exception cref="LedgerUnavailableException">The ledger store could not be reached in time.</exception>
    ValueTask<CancelOutcome> CancelAsync(string userId, Guid messageId, CancellationToken cancellationToken);

    /// <summary>
    /// Marks attempt <paramref name="attempt"/> of a message as handed to the operator, atomically with checking that its
    /// reservation is still open: a refunded (canceled, expired) message is never sent, a captured one never again.
    /// </summary>
    /// <param name="userId">The owner of the reservation.</param>
    /// <param name="messageId">The message.</param>
    /// <param name="attempt">The send attempt, 1-based.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Whether to send; <see cref="BeginSendOutcome.Send"/> also when no reservation exists (nothing to protect).</returns>
    /// <exception cref="LedgerUnavailableException">The ledger store could not be reached in time.</exception>
    ValueTask<BeginSendOutcome> BeginSendAsync(string userId, Guid messageId, int attempt, CancellationToken cancellationToken);
}
