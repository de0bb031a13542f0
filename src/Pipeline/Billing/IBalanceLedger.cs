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
    /// Marks the reservations of one user's messages as belonging to durably stored messages (broker-acked, or kept by the
    /// scheduler) and drops them from the pending index, in one call, so the expiry sweep never refunds them. Idempotent.
    /// Every <see cref="ReserveAsync"/> adds its new reservations to the pending index with the ledger store's time; capture
    /// and refund drop them as well.
    /// </summary>
    /// <param name="userId">The user owning every reservation.</param>
    /// <param name="messageIds">The stored messages.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>One outcome per message, same order.</returns>
    /// <exception cref="LedgerUnavailableException">The ledger store could not be reached in time (the confirm may or may not have happened).</exception>
    ValueTask<ConfirmOutcome[]> ConfirmAsync(string userId, IReadOnlyList<Guid> messageIds, CancellationToken cancellationToken);

    /// <summary>
    /// <see cref="ConfirmAsync"/> for the messages of any users in one call, in order, each confirmed exactly as the single
    /// call does. The Redis ledger runs one script per call (per 1,000 items). A ledger that does not override it calls
    /// <see cref="ConfirmAsync"/> once per run of consecutive items of one user.
    /// </summary>
    /// <param name="items">The stored messages.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>One outcome per item, same order.</returns>
    /// <exception cref="LedgerUnavailableException">The ledger store could not be reached in time: any item may or may not
    /// have been confirmed; confirming it again is safe (idempotent).</exception>
    async ValueTask<ConfirmOutcome[]> ConfirmManyAsync(IReadOnlyList<ConfirmRequest> items, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(items);
        var results = new ConfirmOutcome[items.Count];
        for (int start = 0; start < items.Count;)
        {
            int end = start + 1;
            while (end < items.Count && items[end].UserId == items[start].UserId)
            {
                end++;
            }

            var ids = new Guid[end - start];
            for (int i = start; i < end; i++)
            {
                ids[i - start] = items[i].MessageId;
            }

            var outcomes = await ConfirmAsync(items[start].UserId, ids, cancellationToken).ConfigureAwait(false);
            outcomes.CopyTo(results, start);
            start = end;
        }

        return results;
    }

    /// <summary>
    /// Resolves up to <paramref name="maxCount"/> pending reservations made at least <paramref name="confirmDeadline"/> ago
    /// (oldest first, by the ledger store's clock): one still held, never confirmed and whose send never started is refunded;
    /// any other only leaves the index. Safe to call from several processes at once: each reservation is refunded once.
    /// </summary>
    /// <param name="confirmDeadline">Age after which an unconfirmed reservation is refunded (&gt; 0).</param>
    /// <param name="maxCount">Most pending entries examined (&gt;= 1).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The reservations refunded by this call, and how many due entries were examined.</returns>
    /// <exception cref="LedgerUnavailableException">The ledger store could not be reached in time.</exception>
    ValueTask<ReservationSweep> SweepExpiredAsync(TimeSpan confirmDeadline, int maxCount, CancellationToken cancellationToken);

    /// <summary>
    /// The dispatch step before an operator send, one atomic call: reads the message's reservation and, when it is still
    /// reserved and <paramref name="attempt"/> has not started, records it as started (reservation field <c>n</c> = attempt,
    /// and <c>k</c> = stored, so no expiry sweep refunds a message being sent). So a redelivered message is never sent
    /// again once captured or refunded, and one attempt is sent twice only in the window of
    /// <see cref="BeginSendOutcome.AttemptStarted"/>.
    /// </summary>
    /// <param name="userId">Owner of the reservation.</param>
    /// <param name="messageId">The message.</param>
    /// <param name="attempt">The message's send attempt (1-based, <see cref="Model.SmsMessage.Attempt"/>).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>What the reservation held; see <see cref="BeginSendOutcome"/> for what dispatch does with each.</returns>
    /// <exception cref="LedgerUnavailableException">The ledger store could not be reached in time (nothing is known; retry later).</exception>
    ValueTask<BeginSendResult> BeginSendAsync(string userId, Guid messageId, int attempt, CancellationToken cancellationToken);

    /// <summary>
    /// <see cref="CaptureAsync(string, Guid, CancellationToken)"/>, also recording the operator's message id (reservation
    /// field <c>o</c>) in the same call, so a later <see cref="BeginSendAsync"/> of a redelivery can report it.
    /// </summary>
    /// <param name="userId">Owner of the reservation.</param>
    /// <param name="messageId">The message.</param>
    /// <param name="operatorMessageId">The id the operator gave the accepted message; null when it gave none.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>What happened; <see cref="SettleOutcome.SettledOtherwise"/> when it had been refunded.</returns>
    /// <exception cref="LedgerUnavailableException">The ledger store could not be reached in time.</exception>
    ValueTask<SettleOutcome> CaptureAsync(string userId, Guid messageId, string? operatorMessageId, CancellationToken cancellationToken);

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
    /// <see cref="BeginSendAsync"/> for many messages (of any users) in one call: each item is checked and recorded exactly as
    /// the single call does, in order. The Redis ledger runs one script per call (per 1,000 items), so a dispatch batch pays one
    /// round trip instead of one per message. A ledger that does not override it calls <see cref="BeginSendAsync"/> per item.
    /// </summary>
    /// <param name="items">The messages about to be sent; an item may repeat (the second one then sees the first's mark).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>One result per item, same order.</returns>
    /// <exception cref="LedgerUnavailableException">The ledger store could not be reached in time: nothing is known about any
    /// item (some may have been recorded as started; a retry of such an item answers <see cref="BeginSendOutcome.AttemptStarted"/>).</exception>
    async ValueTask<BeginSendResult[]> BeginSendManyAsync(IReadOnlyList<BeginSendRequest> items, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(items);
        var results = new BeginSendResult[items.Count];
        for (int i = 0; i < results.Length; i++)
        {
            results[i] = await BeginSendAsync(items[i].UserId, items[i].MessageId, items[i].Attempt, cancellationToken).ConfigureAwait(false);
        }

        return results;
    }

    /// <summary>
    /// Captures (recording the operator message id, as <see cref="CaptureAsync(string, Guid, string?, CancellationToken)"/>)
    /// or refunds many reservations (of any users) in one call, each idempotent and settled exactly as the single call does,
    /// in order. The Redis ledger runs one script per call (per 1,000 items). A ledger that does not override it calls the
    /// single methods per item.
    /// </summary>
    /// <param name="items">The captures and refunds.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>One outcome per item, same order.</returns>
    /// <exception cref="LedgerUnavailableException">The ledger store could not be reached in time: any item may or may not
    /// have been settled; settling it again is safe (idempotent).</exception>
    async ValueTask<SettleOutcome[]> SettleManyAsync(IReadOnlyList<SettleRequest> items, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(items);
        var results = new SettleOutcome[items.Count];
        for (int i = 0; i < results.Length; i++)
        {
            var item = items[i];
            results[i] = item.Kind == SettleKind.Capture
                ? await CaptureAsync(item.UserId, item.MessageId, item.OperatorMessageId, cancellationToken).ConfigureAwait(false)
                : await RefundAsync(item.UserId, item.MessageId, cancellationToken).ConfigureAwait(false);
        }

        return results;
    }
}
