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

            if (hold.State == HoldState.Captured || hold.SendingAttempt > 0)
            {
                return ValueTask.FromResult(CancelOutcome.SendingStarted);
            }

            account.Reserved -= hold.Amount;
            account.Available += hold.Amount;
            account.Holds[messageId] = hold with { State = HoldState.Refunded };
            return ValueTask.FromResult(CancelOutcome.Canceled);
        }
    }

    /// <inheritdoc />
    public ValueTask<BeginSendOutcome> BeginSendAsync(string userId, Guid messageId, int attempt, CancellationToken cancellationToken)
    {
        if (!_accounts.TryGetValue(userId, out var account))
        {
            return ValueTask.FromResult(BeginSendOutcome.Send);
        }

        lock (account)
        {
            if (!account.Holds.TryGetValue(messageId, out var hold))
            {
                return ValueTask.FromResult(BeginSendOutcome.Send);
            }

            if (hold.State != HoldState.Reserved)
            {
                return ValueTask.FromResult(hold.State == HoldState.Captured ? BeginSendOutcome.AlreadyCaptured : BeginSendOutcome.Refunded);
            }

            if (hold.SendingAttempt >= attempt)
            {
                return ValueTask.FromResult(BeginSendOutcome.AttemptStarted);
            }

            account.Holds[messageId] = hold with { SendingAttempt = attempt };
            return ValueTask.FromResult(BeginSendOutcome.Send);
        }
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

    /// <summary>A reservation; <paramref name="SendingAttempt"/> mirrors the Redis field <c>n</c> (0 = no send started).</summary>
    private readonly record struct Hold(long Amount, HoldState State, int SendingAttempt = 0);

    private sealed class Account
    {
        public long Available;
        public long Reserved;
        public long Spent;
        public long LastFencingToken;
        public readonly HashSet<string> ChargeIds = new(StringComparer.Ordinal);
        public readonly Dictionary<Guid, Hold> Holds = new();

        public Balance Snapshot(string userId) => new(userId, Available, Reserved, Spent);
    }
}
