namespace SmsGateway.Locking;

/// <summary>
/// A lock grant (or the record of a failed attempt). Disposing releases the lock with compare-and-delete.
/// </summary>
public interface IDistributedLock : IAsyncDisposable
{
    /// <summary>The locked resource.</summary>
    string Resource { get; }

    /// <summary>Random value identifying this holder.</summary>
    string LockId { get; }

    /// <summary>True when <see cref="Status"/> is <see cref="DistributedLockStatus.Acquired"/>.</summary>
    bool IsAcquired { get; }

    /// <summary>Current status; becomes <see cref="DistributedLockStatus.Expired"/> once the validity time has passed or an extension failed.</summary>
    DistributedLockStatus Status { get; }

    /// <summary>Monotonic per resource: a later grant always has a larger token. 0 when not acquired.</summary>
    long FencingToken { get; }

    /// <summary>UTC instant after which the grant must be treated as lost.</summary>
    DateTimeOffset ValidUntil { get; }

    /// <summary>
    /// True when the grant is held (<see cref="IsAcquired"/>) and stays valid for at least <paramref name="duration"/> from
    /// now, read on the grant's own clock. <see cref="LockLeases"/> asks this before each reuse of a kept grant. The default
    /// compares <see cref="ValidUntil"/> with the system clock; implementations with their own clock override it.
    /// </summary>
    bool IsValidFor(TimeSpan duration) => IsAcquired && ValidUntil - DateTimeOffset.UtcNow >= duration;
}

/// <summary>Status of a lock attempt, like RedLock.net's <c>RedLockStatus</c>.</summary>
public enum DistributedLockStatus
{
    /// <summary>Not acquired, for no more specific reason.</summary>
    Unlocked = 0,

    /// <summary>Held.</summary>
    Acquired = 1,

    /// <summary>Fewer than a quorum of nodes answered.</summary>
    NoQuorum = 2,

    /// <summary>Another holder has the lock.</summary>
    Conflicted = 3,

    /// <summary>The grant was held but is no longer valid (validity time passed or extension failed).</summary>
    Expired = 4,
}
