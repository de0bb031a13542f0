namespace SmsGateway.Locking;

/// <summary>
/// Creates distributed locks, shaped like RedLock.net's <c>IDistributedLockFactory</c>
/// (https://github.com/samcook/RedLock.net). A failed acquire is reported by <see cref="IDistributedLock.Status"/>, not thrown.
/// </summary>
/// <remarks>Thread-safe.</remarks>
public interface IDistributedLockFactory
{
    /// <summary>
    /// Tries to acquire <paramref name="resource"/> for <paramref name="expiry"/>, retrying every ~<paramref name="retry"/>
    /// (with jitter) until <paramref name="wait"/> has passed.
    /// </summary>
    /// <param name="resource">Lock name, e.g. <c>user:123</c>.</param>
    /// <param name="expiry">Lock time-to-live; the grant is valid for less (elapsed time and clock drift are subtracted).</param>
    /// <param name="wait">Total time to keep trying; zero tries once.</param>
    /// <param name="retry">Pause between tries (jittered).</param>
    /// <param name="cancellationToken">Cancels the waiting.</param>
    /// <returns>A lock handle; check <see cref="IDistributedLock.IsAcquired"/>. Disposing it releases the lock.</returns>
    Task<IDistributedLock> CreateLockAsync(string resource, TimeSpan expiry, TimeSpan wait, TimeSpan retry, CancellationToken cancellationToken);
}
