using System.Net;
using Microsoft.Extensions.Caching.Memory;

namespace SmsGateway.Host.Access;

/// <summary>
/// Counts authentication failures per client IP and blocks an IP for <see cref="AbuseSettings.BlockSeconds"/> after
/// <see cref="AbuseSettings.FailuresBeforeBlock"/> failures within <see cref="AbuseSettings.FailureWindowSeconds"/>.
/// Per process (a blocked attacker that reaches another gateway is counted there too).
/// </summary>
/// <remarks>Thread-safe; counts are approximate under races (a few extra failures may pass), which is harmless.</remarks>
internal sealed class AuthFailureTracker(AuthOptions options, TimeProvider clock) : IDisposable
{
    private readonly MemoryCache cache = new(new MemoryCacheOptions { SizeLimit = 200_000 });

    private sealed class Counter
    {
        public int Failures;
    }

    // The latest end of any block set so far (UTC ticks): once it has passed, no IP is blocked and every request skips the
    // cache lookup (and its boxed key), which is the common case on the /send path.
    private long _lastBlockEndTicks;

    /// <summary>Until when <paramref name="ip"/> is blocked, or null.</summary>
    public DateTimeOffset? BlockedUntil(IPAddress? ip)
    {
        if (ip is null)
        {
            return null;
        }

        var now = clock.GetUtcNow();
        return now.UtcTicks < Volatile.Read(ref _lastBlockEndTicks) && cache.TryGetValue(("block", ip), out DateTimeOffset until) && until > now ? until : null;
    }

    /// <summary>Counts one failure; true when this one blocked the IP.</summary>
    public bool RecordFailure(IPAddress? ip)
    {
        if (ip is null)
        {
            return false;
        }

        var counter = cache.GetOrCreate(("fail", ip), e =>
        {
            e.AbsoluteExpirationRelativeToNow = TimeSpan.FromSeconds(options.Abuse.FailureWindowSeconds);
            e.Size = 1;
            return new Counter();
        })!;
        if (Interlocked.Increment(ref counter.Failures) != options.Abuse.FailuresBeforeBlock)
        {
            return false;
        }

        var until = clock.GetUtcNow().AddSeconds(options.Abuse.BlockSeconds);
        for (var last = Volatile.Read(ref _lastBlockEndTicks); last < until.UtcTicks;)
        {
            var seen = Interlocked.CompareExchange(ref _lastBlockEndTicks, until.UtcTicks, last);
            if (seen == last)
            {
                break;
            }

            last = seen;
        }

        cache.Set(("block", ip), until, new MemoryCacheEntryOptions { AbsoluteExpiration = until, Size = 1 });
        cache.Remove(("fail", ip));
        return true;
    }

    public void Dispose() => cache.Dispose();
}
