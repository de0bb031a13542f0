using SmsGateway.Locking;

namespace SmsGateway.Redis;

/// <summary>
/// A Redlock grant from the Redis lock factory (what <see cref="IDistributedLockFactory.CreateLockAsync"/> returns
/// when Redis is configured): adds loss notification and manual extension to <see cref="IDistributedLock"/>.
/// </summary>
/// <remarks>
/// Loss is reported, never hidden: when the validity time passes without a successful extension, or an extension
/// fails to reach a quorum, <see cref="IDistributedLock.Status"/> becomes <see cref="DistributedLockStatus.Expired"/>
/// and <see cref="Lost"/> is cancelled. Disposing releases the lock and does not cancel <see cref="Lost"/>. Thread-safe.
/// </remarks>
public interface IRedisLock : IDistributedLock
{
    /// <summary>Cancelled when the grant is lost (expired or failed extension); never cancelled for a lock that was not acquired
    /// or was released by disposing. Pass it to work that must stop when the lock is gone.</summary>
    CancellationToken Lost { get; }

    /// <summary>Resets the lock's ttl on every node (compare-and-pexpire) and recomputes <see cref="IDistributedLock.ValidUntil"/>.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>True when a quorum extended it in time; false when the lock is lost (status Expired, <see cref="Lost"/> cancelled) or not held.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired; the lock's state is unchanged.</exception>
    Task<bool> ExtendAsync(CancellationToken cancellationToken);
}
