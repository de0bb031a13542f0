namespace SmsGateway.Billing;

/// <summary>
/// The embedded ledger: one account object per user, guarded by its own monitor. Same contract as the Redis ledger,
/// including fencing-token checks, but nothing survives the process.
/// </summary>
/// <remarks>Thread-safe. Settled reservations are kept for idempotency for the life of the process (about 60 bytes each).</remarks>
public sealed class InMemoryBalanceLedger : IBalanceLedger
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Account> _accounts = new(StringComparer.Ordinal);

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
    public ValueTask<BeginSendResult> BeginSendAsync(string userId, Guid messageId, int attempt, CancellationToken cancellationToken)
    {
        if (!_accounts.TryGetValue(userId, out var account))
        {
            return ValueTask.FromResult(new BeginSendResult(BeginSendOutcome.NotReserved));
        }

        lock (account)
        {
            if (!account.Holds.TryGetValue(messageId, out var hold))
            {
                return ValueTask.FromResult(new BeginSendResult(BeginSendOutcome.NotReserved));
            }

            account.Sends.TryGetValue(messageId, out var send);
            var result = hold.State switch
            {
                HoldState.Captured => new BeginSendResult(BeginSendOutcome.AlreadyCaptured, send.OperatorMessageId),
                HoldState.Refunded => new BeginSendResult(BeginSendOutcome.Refunded),
                _ when send.Attempt == attempt => new BeginSendResult(BeginSendOutcome.AttemptStarted, send.OperatorMessageId),
                _ => new BeginSendResult(BeginSendOutcome.Send),
            };
            if (result.Outcome == BeginSendOutcome.Send)
            {
                account.Sends[messageId] = new SendMark(attempt, null);
            }

            return ValueTask.FromResult(result);
        }
    }

    /// <inheritdoc />
    public ValueTask<SettleOutcome> CaptureAsync(string userId, Guid messageId, string? operatorMessageId, CancellationToken cancellationToken)
    {
        var outcome = Settle(userId, messageId, HoldState.Captured);
        if (outcome == SettleOutcome.Settled && operatorMessageId is not null && _accounts.TryGetValue(userId, out var account))
        {
            lock (account)
            {
                account.Sends.TryGetValue(messageId, out var send);
                account.Sends[messageId] = send with { OperatorMessageId = operatorMessageId };
            }
        }

        return ValueTask.FromResult(outcome);
    }

    private SettleOutcome Settle(string userId, Guid messageId, HoldState target)
    {
        if (!_accounts.TryGetValue(userId, out var account))
        {
            return SettleOutcome.NotReserved;
        }

        lock (account)
        {
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

            account.Holds[messageId] = hold with { State = target };
            return SettleOutcome.Settled;
        }
    }

    private Account Get(string userId) => _accounts.GetOrAdd(userId, static _ => new Account());

    private enum HoldState : byte
    {
        Reserved,
        Captured,
        Refunded,
    }

    private readonly record struct Hold(long Amount, HoldState State);

    // Reservation fields n (attempt whose send started) and o (operator message id) of the Redis ledger.
    private readonly record struct SendMark(int Attempt, string? OperatorMessageId);

    private sealed class Account
    {
        public long Available;
        public long Reserved;
        public long Spent;
        public long LastFencingToken;
        public readonly HashSet<string> ChargeIds = new(StringComparer.Ordinal);
        public readonly Dictionary<Guid, Hold> Holds = new();
        public readonly Dictionary<Guid, SendMark> Sends = new();

        public Balance Snapshot(string userId) => new(userId, Available, Reserved, Spent);
    }
}
