namespace SmsGateway.Access;

/// <summary>
/// Takes units from several GCRA buckets at once, all or none (a message counts against both the per-second and the
/// per-day bucket, or against neither). The embedded profile uses <see cref="InMemoryAccountRateLimiter"/>; the full profile
/// one atomic Redis script, so every gateway process shares the buckets.
/// </summary>
/// <remarks>Thread-safe.</remarks>
public interface IAccountRateLimiter
{
    /// <summary>Takes <paramref name="cost"/> units from every bucket of <paramref name="rules"/>, or from none.</summary>
    /// <param name="rules">One or more rules, distinct keys.</param>
    /// <param name="cost">Units, &gt; 0.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="AccessStoreUnavailableException">The shared limiter could not be reached in time.</exception>
    ValueTask<RateDecision> AcquireAsync(IReadOnlyList<RateRule> rules, int cost, CancellationToken cancellationToken);
}
