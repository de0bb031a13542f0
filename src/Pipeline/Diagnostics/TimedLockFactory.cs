using System.Diagnostics;
using SmsGateway.Locking;

namespace SmsGateway.Diagnostics;

/// <summary>
/// Times lock acquisitions (including the retries within the wait) into <c>sms.lock.acquire.duration</c> (ms, by the grant's
/// status, or <c>error</c> when acquiring threw). Takes no timestamp while nobody reads the histogram.
/// </summary>
/// <remarks>Thread-safe as the factory it wraps; its exceptions pass through unchanged.</remarks>
internal sealed class TimedLockFactory(IDistributedLockFactory inner, PipelineMetrics metrics) : IDistributedLockFactory
{
    public Task<IDistributedLock> CreateLockAsync(string resource, TimeSpan expiry, TimeSpan wait, TimeSpan retry, CancellationToken cancellationToken)
    {
        if (!metrics.CallsObserved)
        {
            return inner.CreateLockAsync(resource, expiry, wait, retry, cancellationToken);
        }

        long start = Stopwatch.GetTimestamp();
        return TimeAsync(inner.CreateLockAsync(resource, expiry, wait, retry, cancellationToken), start);
    }

    private async Task<IDistributedLock> TimeAsync(Task<IDistributedLock> acquire, long start)
    {
        string status = "error";
        try
        {
            var grant = await acquire.ConfigureAwait(false);
            status = grant.Status switch
            {
                DistributedLockStatus.Acquired => "acquired",
                DistributedLockStatus.NoQuorum => "no_quorum",
                DistributedLockStatus.Conflicted => "conflicted",
                DistributedLockStatus.Expired => "expired",
                _ => "unlocked",
            };
            return grant;
        }
        finally
        {
            metrics.LockAcquire(status, Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
    }
}
