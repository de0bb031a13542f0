using System.Net;

namespace SmsGateway.Redis;

/// <summary>
/// Settings of the Redis ledger, the Redlock lock nodes and the idempotency store. Bound from configuration
/// (suggested section <c>Redis</c>: <c>Redis:LedgerEndpoint</c>, <c>Redis:LockEndpoints:0</c>, …) and checked by
/// <see cref="Validate"/>, which <see cref="RedisServiceCollectionExtensions.AddRedisLedger"/> calls.
/// </summary>
/// <remarks>
/// Endpoints are <c>host:port</c> (an IPv4/IPv6 literal or a host name). The lock endpoints must be independent
/// masters (not replicas of each other), as the Redlock algorithm requires
/// (https://redis.io/docs/latest/develop/use/patterns/distributed-locks/).
/// </remarks>
public sealed record RedisOptions
{
    /// <summary>Defaults: a local ledger on 6379 and lock nodes on 6379, 6380, 6381.</summary>
    public static RedisOptions Default { get; } = new();

    /// <summary>Ledger (and, unless <see cref="IdempotencyEndpoint"/> is set, idempotency) server, <c>host:port</c>. Default <c>127.0.0.1:6379</c>.</summary>
    public string LedgerEndpoint { get; init; } = "127.0.0.1:6379";

    /// <summary>Idempotency-key server, <c>host:port</c>; null (default) uses <see cref="LedgerEndpoint"/>.</summary>
    public string? IdempotencyEndpoint { get; init; }

    /// <summary>Independent Redis masters for Redlock, <c>host:port</c> each; at least 1, normally 3 or 5 (quorum N/2+1). Default three local ports 6379–6381.</summary>
    public IReadOnlyList<string> LockEndpoints { get; init; } = ["127.0.0.1:6379", "127.0.0.1:6380", "127.0.0.1:6381"];

    /// <summary>Password sent with AUTH to every server; null (default) for none.</summary>
    public string? Password { get; init; }

    /// <summary>Time limit of one ledger or idempotency call, ms (the client's AsyncTimeout and SyncTimeout; a call made while the
    /// connection is down waits in the client's backlog up to this long). Default 500. Past it the call throws
    /// <see cref="SmsGateway.Billing.LedgerUnavailableException"/> / <see cref="SmsGateway.Idempotency.IdempotencyStoreUnavailableException"/>.</summary>
    public int OperationTimeoutMs { get; init; } = 500;

    /// <summary>Time limit of one lock call on one node, ms (the lock nodes' client AsyncTimeout). Default 400; keep it small next to
    /// <see cref="LockTtlMs"/> (the algorithm's "timeout smaller than the auto-release time"). RedLock.net waits for every node's
    /// answer, so while a node is frozen each grant takes up to this long (plus a tenth of it, the heartbeat that finds timed-out calls).
    /// Long enough that a node answering late because this process is starved of CPU is not counted as down (a 4,000 req/s flood on
    /// 2 cores stalled answers by a few hundred ms, and 200 ms turned them into NoQuorum with every node up; issue 12 item 6),
    /// short enough that a grant still fits in the accept deadline (<c>Pipeline:AcceptDeadline</c>, 900 ms).</summary>
    public int LockNodeTimeoutMs { get; init; } = 400;

    /// <summary>The lock time-to-live these settings are checked against, ms (default 2000): <see cref="LockNodeTimeoutMs"/> must stay
    /// below half of it and <see cref="FenceCounterTtlMs"/> at or above it. Keep it equal to the ttl the gateway actually asks for
    /// (<c>Pipeline:LockExpiry</c>); the ttl, wait and retry of each grant are arguments of
    /// <see cref="SmsGateway.Locking.IDistributedLockFactory.CreateLockAsync"/>, not settings here.</summary>
    public int LockTtlMs { get; init; } = 2000;

    /// <summary>Connect timeout of a (re)connection, ms (the client's ConnectTimeout). Default 1000. Start-up waits at most this long
    /// for the first connections (all in parallel).</summary>
    public int ConnectTimeoutMs { get; init; } = 1000;

    /// <summary>Prefix of every key; must not contain <c>{</c> or <c>}</c> (user ids and lock resources are hash tags). Default <c>sms:</c>.</summary>
    public string KeyPrefix { get; init; } = "sms:";

    /// <summary>How long a settled (captured or refunded) reservation is kept so repeats are recognised, seconds. Default 7 days.</summary>
    public int SettledReservationTtlSeconds { get; init; } = 7 * 24 * 3600;

    /// <summary>How long a charge id is remembered for de-duplication, seconds. Default 7 days.</summary>
    public int ChargeIdTtlSeconds { get; init; } = 7 * 24 * 3600;

    /// <summary>How long a resource's fencing counter lives on the ledger node after its last grant, ms. Default 7 days.
    /// Safe to expire: a missing counter restarts at the node's clock in microseconds, above any earlier token.</summary>
    public long FenceCounterTtlMs { get; init; } = 7L * 24 * 3600 * 1000;

    /// <summary>Checks every setting.</summary>
    /// <exception cref="ArgumentException">One or more settings are invalid; the message names each (<c>Redis:Name</c>).</exception>
    public void Validate()
    {
        var errors = new List<string>();
        CheckEndpoint(errors, nameof(LedgerEndpoint), LedgerEndpoint);
        if (IdempotencyEndpoint is not null)
        {
            CheckEndpoint(errors, nameof(IdempotencyEndpoint), IdempotencyEndpoint);
        }

        if (LockEndpoints is null || LockEndpoints.Count == 0)
        {
            errors.Add($"{nameof(LockEndpoints)} must list at least one host:port (3 or 5 independent masters recommended)");
        }
        else
        {
            for (var i = 0; i < LockEndpoints.Count; i++)
            {
                CheckEndpoint(errors, $"{nameof(LockEndpoints)}:{i}", LockEndpoints[i]);
            }

            if (LockEndpoints.Distinct(StringComparer.OrdinalIgnoreCase).Count() != LockEndpoints.Count)
            {
                errors.Add($"{nameof(LockEndpoints)} lists the same endpoint twice; Redlock needs independent nodes");
            }
        }

        Positive(errors, nameof(OperationTimeoutMs), OperationTimeoutMs);
        Positive(errors, nameof(LockNodeTimeoutMs), LockNodeTimeoutMs);
        Positive(errors, nameof(LockTtlMs), LockTtlMs);
        Positive(errors, nameof(ConnectTimeoutMs), ConnectTimeoutMs);
        Positive(errors, nameof(SettledReservationTtlSeconds), SettledReservationTtlSeconds);
        Positive(errors, nameof(ChargeIdTtlSeconds), ChargeIdTtlSeconds);
        if (FenceCounterTtlMs < LockTtlMs)
        {
            errors.Add($"{nameof(FenceCounterTtlMs)} must be >= {nameof(LockTtlMs)} (was {FenceCounterTtlMs})");
        }

        if (LockNodeTimeoutMs * 2 >= LockTtlMs)
        {
            errors.Add($"{nameof(LockNodeTimeoutMs)} ({LockNodeTimeoutMs}) must be well below {nameof(LockTtlMs)} ({LockTtlMs}), less than half");
        }

        if (KeyPrefix is null || KeyPrefix.Contains('{') || KeyPrefix.Contains('}'))
        {
            errors.Add($"{nameof(KeyPrefix)} must be set and must not contain '{{' or '}}' (was '{KeyPrefix}')");
        }

        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid Redis settings: " + string.Join("; ", errors.Select(e => "Redis:" + e)));
        }
    }

    private static void Positive(List<string> errors, string name, long value)
    {
        if (value <= 0)
        {
            errors.Add($"{name} must be > 0 (was {value})");
        }
    }

    private static void CheckEndpoint(List<string> errors, string name, string? value)
    {
        if (!TryParseEndpoint(value, out _, out _))
        {
            errors.Add($"{name} must be host:port with a port 1-65535 (was '{value}')");
        }
    }

    internal static bool TryParseEndpoint(string? value, out string host, out int port)
    {
        host = string.Empty;
        port = 0;
        if (string.IsNullOrWhiteSpace(value))
        {
            return false;
        }

        if (IPEndPoint.TryParse(value, out var ip) && ip.Port > 0)
        {
            host = ip.Address.ToString();
            port = ip.Port;
            return true;
        }

        var colon = value.LastIndexOf(':');
        if (colon <= 0 || colon == value.Length - 1 || value.IndexOf(':') != colon)
        {
            return false;
        }

        host = value[..colon];
        return int.TryParse(value.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out port)
            && port is > 0 and <= 65535
            && Uri.CheckHostName(host) != UriHostNameType.Unknown;
    }
}
