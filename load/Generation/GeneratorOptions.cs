namespace SmsGateway.Load.Generation;

/// <summary>Options of the request-file generator.</summary>
public sealed record GeneratorOptions
{
    /// <summary>Total number of lines (charges + sends). Default 10,000; at least 20.</summary>
    public int Lines { get; init; } = 10_000;

    /// <summary>Seed of the random generator: the same seed gives the same file.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>Number of users; 0 = one per 200 lines (at least 5).</summary>
    public int Users { get; init; }

    /// <summary>Share of send lines that are invalid (0..1). Default 0.15.</summary>
    public double InvalidShare { get; init; } = 0.15;

    /// <summary>Share of users charged too little so they run out of balance (0..1). Default 0.3.</summary>
    public double PoorShare { get; init; } = 0.3;

    /// <summary>Share of valid sends carrying an Idempotency-Key (0..1). Default 0.1; about a fifth of those are sent twice.</summary>
    public double KeyedShare { get; init; } = 0.1;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> when a value is out of range.</summary>
    public GeneratorOptions Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Lines, 20);
        ArgumentOutOfRangeException.ThrowIfNegative(Users);
        foreach (var share in new[] { InvalidShare, PoorShare, KeyedShare })
            if (share is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(share), share, "shares are between 0 and 1");
        return this;
    }
}
