namespace SmsGateway.Dispatch;

/// <summary>
/// When a transiently failed message is tried again: at most <see cref="MaxRetries"/> retries after the first attempt,
/// with exponential backoff and "equal jitter" (half fixed, half random; see
/// https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/).
/// </summary>
/// <remarks>Immutable and thread-safe.</remarks>
public sealed record RetryPolicy
{
    /// <summary>Retries after the first attempt (DESIGN.md: at most 3). Default 3.</summary>
    public int MaxRetries { get; init; } = 3;

    /// <summary>Backoff before the first retry. Default 200 ms.</summary>
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Longest backoff. Default 10 s.</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The default policy.</summary>
    public static RetryPolicy Default { get; } = new();

    /// <summary>True when a message whose attempt <paramref name="failedAttempt"/> (1-based) failed transiently may be tried again.</summary>
    public bool CanRetry(int failedAttempt) => failedAttempt >= 1 && failedAttempt <= MaxRetries;

    /// <summary>Backoff before attempt <paramref name="nextAttempt"/> (2 for the first retry): base·2^(n−2), capped, then
    /// half of it plus a random share of the other half.</summary>
    /// <param name="nextAttempt">The attempt about to be scheduled, &gt;= 2.</param>
    /// <param name="random">Source of jitter; <see cref="Random.Shared"/> when null.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="nextAttempt"/> is below 2.</exception>
    public TimeSpan DelayBefore(int nextAttempt, Random? random = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(nextAttempt, 2);
        double exp = BaseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(nextAttempt - 2, 30));
        double capped = Math.Min(exp, MaxDelay.TotalMilliseconds);
        double jittered = (capped / 2) + ((random ?? Random.Shared).NextDouble() * capped / 2);
        return TimeSpan.FromMilliseconds(jittered);
    }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> when a value is out of range.</summary>
    public RetryPolicy Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(MaxRetries, nameof(MaxRetries));
        ArgumentOutOfRangeException.ThrowIfLessThan(BaseDelay, TimeSpan.Zero, nameof(BaseDelay));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxDelay, BaseDelay, nameof(MaxDelay));
        return this;
    }
}
