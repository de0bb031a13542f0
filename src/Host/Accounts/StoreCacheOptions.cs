namespace SmsGateway.Host.Accounts;

/// <summary>
/// Timings of a <see cref="RevalidatingCache{TKey, TValue}"/> (README "Durability", "Store outages on the accept path").
/// The defaults are those of the account settings, block list and template caches.
/// </summary>
public sealed record StoreCacheOptions
{
    /// <summary>How long a copy is served without asking the store again. Default 5 s.</summary>
    public TimeSpan Ttl { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How old a copy may be and still serve (while the store is slow or unreachable). Default 1 h.</summary>
    public TimeSpan StaleLimit { get; init; } = TimeSpan.FromHours(1);

    /// <summary>
    /// How long a request with no usable copy waits for the store before it is refused (503, nothing charged). Default
    /// 500 ms: inside the 1-s fail-fast promise of <c>/send</c> (README "Admission control and fail-fast").
    /// </summary>
    public TimeSpan ColdWait { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// After a failed read of a key, no new read of it starts for this long; a request with no usable copy is refused at
    /// once meanwhile. Default 1 s.
    /// </summary>
    public TimeSpan RetryInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Most keys held; adding one past it drops every copy (they are read again on demand). Default 100,000.</summary>
    public int MaxEntries { get; init; } = 100_000;

    /// <summary>Checks the values.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A time is not positive (<see cref="RetryInterval"/> may be zero),
    /// <see cref="StaleLimit"/> is below <see cref="Ttl"/>, or <see cref="MaxEntries"/> is below 1.</exception>
    public StoreCacheOptions Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(Ttl, TimeSpan.Zero, nameof(Ttl));
        ArgumentOutOfRangeException.ThrowIfLessThan(StaleLimit, Ttl, nameof(StaleLimit));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ColdWait, TimeSpan.Zero, nameof(ColdWait));
        ArgumentOutOfRangeException.ThrowIfLessThan(RetryInterval, TimeSpan.Zero, nameof(RetryInterval));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxEntries, 1, nameof(MaxEntries));
        return this;
    }
}
