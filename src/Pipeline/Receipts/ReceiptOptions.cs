namespace SmsGateway.Receipts;

/// <summary>How long and how many delivery receipts and operator message ids the <see cref="ReceiptCorrelator"/> keeps.</summary>
public sealed record ReceiptOptions
{
    /// <summary>How long a sent message waits for its receipt (SMSCs hold undeliverable messages for days). Default 48 h.</summary>
    public TimeSpan Ttl { get; init; } = TimeSpan.FromHours(48);

    /// <summary>How long a receipt that arrived before its operator message id was registered waits for it. Default 10 min.</summary>
    public TimeSpan ParkTtl { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Most sent messages awaiting a receipt; beyond it new ones are not tracked (their receipts are dropped, logged). Default 1,000,000.</summary>
    public int MaxTracked { get; init; } = 1_000_000;

    /// <summary>Most receipts waiting for their id; beyond it early receipts are dropped (logged). Default 100,000.</summary>
    public int MaxParked { get; init; } = 100_000;

    /// <summary>Matched receipts waiting to be published as status events; a full queue slows the operator client's answers. Default 10,000.</summary>
    public int QueueCapacity { get; init; } = 10_000;

    /// <summary>How often expired entries are removed. Default 30 s.</summary>
    public TimeSpan SweepInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Shared defaults.</summary>
    public static ReceiptOptions Default { get; } = new();

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid setting; returns this instance otherwise.</summary>
    public ReceiptOptions Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(Ttl, TimeSpan.Zero, nameof(Ttl));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ParkTtl, TimeSpan.Zero, nameof(ParkTtl));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxTracked, 1, nameof(MaxTracked));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxParked, 0, nameof(MaxParked));
        ArgumentOutOfRangeException.ThrowIfLessThan(QueueCapacity, 1, nameof(QueueCapacity));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(SweepInterval, TimeSpan.Zero, nameof(SweepInterval));
        return this;
    }
}
