namespace SmsGateway.Billing;

/// <summary>
/// The embedded ledger: one account object per user, guarded by its own monitor. Same contract as the Redis ledger,
/// including fencing-token checks, but nothing survives the process.
/// </summary>
/// <remarks>Thread-safe. A settled (captured or refunded) reservation is kept so that repeats are recognised, as the Redis
/// ledger keeps it for <c>Redis:SettledReservationTtlSeconds</c>, but bounded for the embedded profile: for the settled
/// retention (default 10 min: the in-memory transport redelivers only deliveries not yet acked, within their ack wait),
/// and at most the newest 100,000 per user (about 130 bytes of heap each, bench/README.md "Where the embedded graph
/// allocates, and three cuts"); older ones are forgotten, oldest first, when the user next settles (docs/architecture.md
/// "Durability and faults: where it stands"). Like the Redis ledger, each new reservation waits in a per-user pending index
/// (message id → reserve time, ms) until <see cref="ConfirmAsync"/>, a capture or a refund drops it;
/// <see cref="SweepExpiredAsync"/> refunds the ones left past the deadline. A reservation's "stored" mark (the Redis hash
/// field <c>k</c>) is its absence from the index while held.</remarks>
public sealed class InMemoryBalanceLedger : IBalanceLedger
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Account> _accounts = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly long _retentionMs;
    private readonly int _maxSettledPerUser;

    /// <summary>Creates an empty ledger.</summary>
    /// <param name="timeProvider">The clock of reserve times, of the expiry sweep and of the settled retention (default <see cref="TimeProvider.System"/>).</param>
    /// <param name="settledRetention">How long a settled reservation is remembered; default 10 minutes.</param>
    /// <param name="maxSettledPerUser">Most settled reservations remembered per user (the newest); default 100,000.</param>
    /// <exception cref="ArgumentOutOfRangeException">The retention is not positive, or the maximum is below 1.</exception>
    public InMemoryBalanceLedger(TimeProvider? timeProvider = null, TimeSpan? settledRetention = null, int maxSettledPerUser = 100_000)
    {
        _time = timeProvider ?? TimeProvider.System;
        var retention = settledRetention ?? TimeSpan.FromMinutes(10);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(retention, TimeSpan.Zero, nameof(settledRetention));
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSettledPerUser, 1);
        _retentionMs = (long)retention.TotalMilliseconds;
        _maxSettledPerUser = maxSettledPerUser;
    }

    /// <summary>Reservations (held and settled) this ledger remembers for <paramref name="userId"/>; for tests and memory checks.</summary>
    public int RememberedReservations(string userId)
    {
        if (!_accounts.TryGetValue(userId, out var account))
        {
            return 0;
        }

        lock (account)
        {
            return account.Holds.Count;
        }
    }

    /// <inheritdoc />
    public ValueTask<Balance> ChargeAsync(string userId, long amount, string chargeId, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(amount);
        var account = Get(userId);
        lock (account)
        {
            if (account.ChargeIds.Add(chargeId))
            {
                account.Available = checked(account.Available + amount);
            }

            return ValueTask.FromResult(account.Snapshot(userId));
        }
    }

    /// <inheritdoc />
    public ValueTask<ReserveOutcome[]> ReserveAsync(string userId, IReadOnlyList<Reservation> reservations, long fencingToken, CancellationToken cancellationToken)
    {
        var outcomes = new ReserveOutcome[reservations.Count];
        var account = Get(userId);
        long now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        lock (account)
        {
            if (fencingToken < account.LastFencingToken)
            {
                Array.Fill(outcomes, ReserveOutcome.StaleFencingToken);
                return ValueTask.FromResult(outcomes);
            }

            account.LastFencingToken = fencingToken;
            for (int i = 0; i < reservations.Count; i++)
            {
                var r = reservations[i];
                ArgumentOutOfRangeException.ThrowIfNegative(r.Amount);
                if (account.Holds.ContainsKey(r.MessageId))
                {
                    outcomes[i] = ReserveOutcome.AlreadyReserved;
                }
                else if (account.Available < r.Amount)
                {
                    outcomes[i] = ReserveOutcome.InsufficientFunds;
                }
                else
                {
                    account.Available -= r.Amount;
                    account.Reserved += r.Amount;
                    account.Holds[r.MessageId] = new Hold(r.Amount, HoldState.Reserved);
                    account.Pending[r.MessageId] = now;
                    outcomes[i] = ReserveOutcome.Reserved;
                }
            }
        }

        return ValueTask.FromResult(outcomes);
    }

    /// <inheritdoc />
    public ValueTask<SettleOutcome> CaptureAsync(string userId, Guid messageId, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Settle(userId, messageId, HoldState.Captured));

    /// <inheritdoc />
    public ValueTask<SettleOutcome> RefundAsync(string userId, Guid messageId, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Settle(userId, messageId, HoldState.Refunded));

    /// <inheritdoc />
    public ValueTask<Balance> GetBalanceAsync(string userId, CancellationToken cancellationToken)
    {
        if (!_accounts.TryGetValue(userId, out var account))
        {
            return ValueTask.FromResult(new Balance(userId, 0, 0, 0));
        }

        lock (account)
        {
            return ValueTask.FromResult(account.Snapshot(userId));
        }
    }

    /// <inheritdoc />
    public ValueTask<ConfirmOutcome[]> ConfirmAsync(string userId, IReadOnlyList<Guid> messageIds, CancellationToken cancellationToken)
    {
        var outcomes = new ConfirmOutcome[messageIds.Count];
        if (!_accounts.TryGetValue(userId, out var account))
        {
            Array.Fill(outcomes, ConfirmOutcome.NotReserved);
            return ValueTask.FromResult(outcomes);
        }

        lock (account)
        {
            for (int i = 0; i < outcomes.Length; i++)
            {
                var id = messageIds[i];
                account.Pending.Remove(id);
                outcomes[i] = !account.Holds.TryGetValue(id, out var hold) ? ConfirmOutcome.NotReserved
                    : hold.State == HoldState.Reserved ? ConfirmOutcome.Confirmed
                    : hold.Expired ? ConfirmOutcome.Expired
                    : ConfirmOutcome.AlreadySettled;
            }
        }

        return ValueTask.FromResult(outcomes);
    }

    /// <inheritdoc />
    public ValueTask<ReservationSweep> SweepExpiredAsync(TimeSpan confirmDeadline, int maxCount, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(confirmDeadline, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCount, 1);
        long cutoff = _time.GetUtcNow().ToUnixTimeMilliseconds() - (long)confirmDeadline.TotalMilliseconds;
        var refunded = new List<ExpiredReservation>();
        var due = new List<(Guid Id, long At)>();
        int examined = 0;
        foreach (var (userId, account) in _accounts)
        {
            if (examined == maxCount)
            {
                break;
            }

            lock (account)
            {
                if (account.Pending.Count == 0)
                {
                    continue;
                }

                due.Clear();
                foreach (var (id, at) in account.Pending)
                {
                    if (at <= cutoff && due.Count < maxCount - examined)
                    {
                        due.Add((id, at));
                    }
                }

                foreach (var (id, at) in due)
                {
                    examined++;
                    account.Pending.Remove(id);
                    if (account.Holds.TryGetValue(id, out var hold) && hold.State == HoldState.Reserved)
                    {
                        account.Reserved -= hold.Amount;
                        account.Available += hold.Amount;
                        account.Holds[id] = hold with { State = HoldState.Refunded, Expired = true };
                        Retire(account, id);
                        refunded.Add(new ExpiredReservation(userId, id, hold.Amount, DateTimeOffset.FromUnixTimeMilliseconds(at)));
                    }
                }
            }
        }

        return ValueTask.FromResult(new ReservationSweep(refunded, examined));
    }

    /// <summary>True while the reservation of <paramref name="messageId"/> is held and not yet confirmed stored (in the pending index).</summary>
    /// <param name="userId">The owner.</param>
    /// <param name="messageId">The message.</param>
    public bool IsPending(string userId, Guid messageId)
    {
        if (!_accounts.TryGetValue(userId, out var account))
        {
            return false;
        }

        lock (account)
        {
            return account.Pending.ContainsKey(messageId);
        }
    }

    /// <inheritdoc />
    public ValueTask<BeginSendResult> BeginSendAsync(string userId, Guid messageId, int attempt, CancellationToken cancellationToken) =>
        ValueTask.FromResult(BeginSend(userId, messageId, attempt));

    /// <inheritdoc />
    public ValueTask<SettleOutcome> CaptureAsync(string userId, Guid messageId, string? operatorMessageId, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Settle(userId, messageId, HoldState.Captured, operatorMessageId));

    /// <inheritdoc />
    /// <remarks>Each item takes its user's monitor on its own: items are atomic one by one, as in the Redis script.</remarks>
    public ValueTask<BeginSendResult[]> BeginSendManyAsync(IReadOnlyList<BeginSendRequest> items, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(items);
        var results = new BeginSendResult[items.Count];
        for (int i = 0; i < results.Length; i++)
        {
            results[i] = BeginSend(items[i].UserId, items[i].MessageId, items[i].Attempt);
        }

        return ValueTask.FromResult(results);
    }

    /// <inheritdoc />
    /// <remarks>Each item takes its user's monitor on its own: items are atomic one by one, as in the Redis script.</remarks>
    public ValueTask<SettleOutcome[]> SettleManyAsync(IReadOnlyList<SettleRequest> items, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(items);
        var results = new SettleOutcome[items.Count];
        for (int i = 0; i < results.Length; i++)
        {
            var item = items[i];
            results[i] = item.Kind == SettleKind.Capture
                ? Settle(item.UserId, item.MessageId, HoldState.Captured, item.OperatorMessageId)
                : Settle(item.UserId, item.MessageId, HoldState.Refunded);
        }

        return ValueTask.FromResult(results);
    }

    /// <inheritdoc />
    public ValueTask<CancelOutcome> CancelAsync(string userId, Guid messageId, CancellationToken cancellationToken)
    {
        if (!_accounts.TryGetValue(userId, out var account))
        {
            return ValueTask.FromResult(CancelOutcome.NotReserved);
        }

        lock (account)
        {
            if (!account.Holds.TryGetValue(messageId, out var hold))
            {
                return ValueTask.FromResult(CancelOutcome.NotReserved);
            }

            if (hold.State == HoldState.Refunded)
            {
                return ValueTask.FromResult(CancelOutcome.AlreadySettled);
            }

            // A started send (the Redis field n) or a capture: too late to cancel.
            if (hold.State == HoldState.Captured || hold.SendAttempt > 0)
            {
                return ValueTask.FromResult(CancelOutcome.SendingStarted);
            }

            account.Reserved -= hold.Amount;
            account.Available += hold.Amount;
            account.Holds[messageId] = hold with { State = HoldState.Refunded };
            account.Pending.Remove(messageId);
            Retire(account, messageId);
            return ValueTask.FromResult(CancelOutcome.Canceled);
        }
    }

    private BeginSendResult BeginSend(string userId, Guid messageId, int attempt)
    {
        if (!_accounts.TryGetValue(userId, out var account))
        {
            return new BeginSendResult(BeginSendOutcome.NotReserved);
        }

        lock (account)
        {
            if (!account.Holds.TryGetValue(messageId, out var hold))
            {
                return new BeginSendResult(BeginSendOutcome.NotReserved);
            }

            var result = hold.State switch // SendAttempt 0: no send started
            {
                _ when hold.SendAttempt > attempt => new BeginSendResult(BeginSendOutcome.Superseded, null, hold.SendAttempt),
                HoldState.Captured => new BeginSendResult(BeginSendOutcome.AlreadyCaptured, hold.OperatorMessageId, hold.SendAttempt),
                HoldState.Refunded => new BeginSendResult(BeginSendOutcome.Refunded, null, hold.SendAttempt),
                _ when hold.SendAttempt == attempt => new BeginSendResult(BeginSendOutcome.AttemptStarted, hold.OperatorMessageId, hold.SendAttempt,
                    TimeSpan.FromMilliseconds(Math.Max(_time.GetUtcNow().ToUnixTimeMilliseconds() - hold.SendStartedAt, 0))),
                _ => new BeginSendResult(BeginSendOutcome.Send, null, hold.SendAttempt),
            };
            if (result.Outcome == BeginSendOutcome.Send)
            {
                account.Holds[messageId] = hold with { SendAttempt = attempt, SendStartedAt = _time.GetUtcNow().ToUnixTimeMilliseconds(), OperatorMessageId = null };
                account.Pending.Remove(messageId); // the Redis script's k = 1: a message being sent is never swept
            }

            return result;
        }
    }

    // operatorMessageId: recorded with a capture that settles the reservation (the Redis field o), null for none.
    private SettleOutcome Settle(string userId, Guid messageId, HoldState target, string? operatorMessageId = null)
    {
        if (!_accounts.TryGetValue(userId, out var account))
        {
            return SettleOutcome.NotReserved;
        }

        lock (account)
        {
            account.Pending.Remove(messageId);
            if (!account.Holds.TryGetValue(messageId, out var hold))
            {
                return SettleOutcome.NotReserved;
            }

            if (hold.State != HoldState.Reserved)
            {
                return hold.State == target ? SettleOutcome.AlreadySettled : SettleOutcome.SettledOtherwise;
            }

            account.Reserved -= hold.Amount;
            if (target == HoldState.Captured)
            {
                account.Spent += hold.Amount;
            }
            else
            {
                account.Available += hold.Amount;
            }

            account.Holds[messageId] = operatorMessageId is null ? hold with { State = target }
                : hold with { State = target, OperatorMessageId = operatorMessageId };
            Retire(account, messageId);
            return SettleOutcome.Settled;
        }
    }

    private Account Get(string userId) => _accounts.GetOrAdd(userId, static _ => new Account());

    // Called under the account's lock when a reservation settles: remembers when, and forgets the settled reservations past
    // the retention or beyond the per-user maximum, oldest first (they are settled: no money moves).
    private void Retire(Account account, Guid messageId)
    {
        long now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        account.Settled.Enqueue((messageId, now));
        while (account.Settled.TryPeek(out var oldest) && (account.Settled.Count > _maxSettledPerUser || now - oldest.At > _retentionMs))
        {
            account.Settled.Dequeue();
            account.Holds.Remove(oldest.Id);
        }
    }

    private enum HoldState : byte
    {
        Reserved,
        Captured,
        Refunded,
    }

    /// <param name="Amount">Minor units.</param>
    /// <param name="State">Held, captured or refunded.</param>
    /// <param name="Expired">Refunded by the expiry sweep (the Redis hash field <c>e</c>).</param>
    /// <param name="SendAttempt">The attempt whose send started, 0 for none (the Redis hash field <c>n</c>).</param>
    /// <param name="OperatorMessageId">The operator's message id recorded by the capture (the Redis hash field <c>o</c>).</param>
    /// <param name="SendStartedAt">When <paramref name="SendAttempt"/> started, Unix ms (the Redis hash field <c>t</c>).</param>
    private readonly record struct Hold(long Amount, HoldState State, bool Expired = false, int SendAttempt = 0, string? OperatorMessageId = null, long SendStartedAt = 0);

    private sealed class Account
    {
        public long Available;
        public long Reserved;
        public long Spent;
        public long LastFencingToken;
        public readonly HashSet<string> ChargeIds = new(StringComparer.Ordinal);
        public readonly Dictionary<Guid, Hold> Holds = new();

        /// <summary>Held reservations not yet confirmed stored: message id → reserve time, ms since the Unix epoch.</summary>
        public readonly Dictionary<Guid, long> Pending = new();

        /// <summary>Settled reservations in settle order: message id, settle time (ms since the Unix epoch).</summary>
        public readonly Queue<(Guid Id, long At)> Settled = new();

        public Balance Snapshot(string userId) => new(userId, Available, Reserved, Spent);
    }
}
