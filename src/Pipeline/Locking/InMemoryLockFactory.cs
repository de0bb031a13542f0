using System.Collections.Concurrent;

namespace SmsGateway.Locking;

/// <summary>
/// The embedded lock: one process-wide table of leases with expiry and a per-resource fencing counter. Same contract as
/// Redlock (expiry, fencing tokens, compare-and-delete release) for a single process.
/// </summary>
/// <remarks>Thread-safe.</remarks>
public sealed class InMemoryLockFactory : IDistributedLockFactory
{
    private readonly ConcurrentDictionary<string, Lease> _leases = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;

    /// <summary>Creates the factory; <paramref name="timeProvider"/> defaults to the system clock.</summary>
    public InMemoryLockFactory(TimeProvider? timeProvider = null) => _time = timeProvider ?? TimeProvider.System;

    /// <inheritdoc />
    public async Task<IDistributedLock> CreateLockAsync(string resource, TimeSpan expiry, TimeSpan wait, TimeSpan retry, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(expiry, TimeSpan.Zero);
        var lease = _leases.GetOrAdd(resource, static _ => new Lease());
        string lockId = Guid.NewGuid().ToString("N");
        long deadline = _time.GetTimestamp() + (long)(wait.TotalSeconds * _time.TimestampFrequency);
        while (true)
        {
            var now = _time.GetUtcNow();
            lock (lease)
            {
                if (lease.HolderId is null || lease.ExpiresAt <= now)
                {
                    lease.HolderId = lockId;
                    lease.ExpiresAt = now + expiry;
                    lease.Token++;
                    return new Handle(this, lease, resource, lockId, lease.Token, lease.ExpiresAt);
                }
            }

            if (_time.GetTimestamp() >= deadline)
            {
                return new Handle(this, lease, resource, lockId, 0, default, DistributedLockStatus.Conflicted);
            }

            var pause = retry <= TimeSpan.Zero ? TimeSpan.FromMilliseconds(1) : retry;
            await Task.Delay(pause * (0.5 + Random.Shared.NextDouble()), _time, cancellationToken).ConfigureAwait(false);
        }
    }

    private sealed class Lease
    {
        public string? HolderId;
        public DateTimeOffset ExpiresAt;
        public long Token;
    }

    private sealed class Handle(InMemoryLockFactory owner, Lease lease, string resource, string lockId, long token, DateTimeOffset validUntil,
        DistributedLockStatus status = DistributedLockStatus.Acquired) : IDistributedLock
    {
        private DistributedLockStatus _status = status;

        public string Resource => resource;

        public string LockId => lockId;

        public bool IsAcquired => Status == DistributedLockStatus.Acquired;

        public DistributedLockStatus Status =>
            _status == DistributedLockStatus.Acquired && owner._time.GetUtcNow() >= validUntil ? DistributedLockStatus.Expired : _status;

        public long FencingToken => token;

        public DateTimeOffset ValidUntil => validUntil;

        public bool IsValidFor(TimeSpan duration) => IsAcquired && validUntil - owner._time.GetUtcNow() >= duration;

        public ValueTask DisposeAsync()
        {
            if (_status == DistributedLockStatus.Acquired)
            {
                lock (lease)
                {
                    if (lease.HolderId == lockId)
                    {
                        lease.HolderId = null;
                    }
                }

                _status = DistributedLockStatus.Unlocked;
            }

            return ValueTask.CompletedTask;
        }
    }
}
