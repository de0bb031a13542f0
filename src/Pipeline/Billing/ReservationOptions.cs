namespace SmsGateway.Billing;

/// <summary>
/// How reservations whose outcome is unknown are resolved (README "Durability", docs/architecture.md): the accept stage
/// confirms each reservation once the broker stored its message; a sweep in every gateway process refunds, every
/// <see cref="SweepInterval"/>, the reservations still unconfirmed <see cref="ConfirmDeadline"/> after they were made.
/// A reservation is therefore confirmed or refunded within <c>ConfirmDeadline + SweepInterval</c> (55 s by default) plus one
/// sweep call, while its gateway or another one runs.
/// </summary>
public sealed record ReservationOptions
{
    /// <summary>
    /// Age after which an unconfirmed reservation is refunded. Must exceed the longest reserve-to-confirm time (broker publish
    /// timeout plus the confirm retries, a few seconds); a confirm that comes later finds its reservation refunded and the
    /// message then fails unsent. Default 50 s, so that with <see cref="SweepInterval"/> the bound stays under 60 s.
    /// </summary>
    public TimeSpan ConfirmDeadline { get; init; } = TimeSpan.FromSeconds(50);

    /// <summary>Pause between sweeps. Default 5 s.</summary>
    public TimeSpan SweepInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Most reservations one sweep call examines (a sweep repeats calls while they come back full). Default 256.</summary>
    public int SweepBatchSize { get; init; } = 256;

    /// <summary>Retries (1-10) of a failed confirm, and of a failed <c>rejected</c> status publish of the sweep. Default 3.</summary>
    public int ConfirmRetries { get; init; } = 3;

    /// <summary>First retry delay; doubles per retry, jittered. Default 50 ms.</summary>
    public TimeSpan ConfirmRetryDelay { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// Most confirms, of any users, in one call to a remote ledger (group commit, <see cref="LedgerBatcher{TRequest, TResult}"/>:
    /// the confirms that arrive while one call is in flight form the next; no timer). 1 confirms each user batch in a call
    /// of its own. The in-memory ledger is always called per user batch. Default 256; at most 10,000.
    /// </summary>
    public int ConfirmBatch { get; init; } = 256;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid setting; returns this instance otherwise.</summary>
    public ReservationOptions Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ConfirmDeadline, TimeSpan.Zero, "Reservations." + nameof(ConfirmDeadline));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(SweepInterval, TimeSpan.Zero, "Reservations." + nameof(SweepInterval));
        ArgumentOutOfRangeException.ThrowIfLessThan(SweepBatchSize, 1, "Reservations." + nameof(SweepBatchSize));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(SweepBatchSize, 10_000, "Reservations." + nameof(SweepBatchSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(ConfirmRetries, 1, "Reservations." + nameof(ConfirmRetries));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(ConfirmRetries, 10, "Reservations." + nameof(ConfirmRetries));
        ArgumentOutOfRangeException.ThrowIfLessThan(ConfirmRetryDelay, TimeSpan.Zero, "Reservations." + nameof(ConfirmRetryDelay));
        ArgumentOutOfRangeException.ThrowIfLessThan(ConfirmBatch, 1, "Reservations." + nameof(ConfirmBatch));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(ConfirmBatch, 10_000, "Reservations." + nameof(ConfirmBatch));
        return this;
    }
}
