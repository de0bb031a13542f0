using Microsoft.Extensions.Logging;
using SmsGateway.Access;
using StackExchange.Redis;

namespace SmsGateway.Redis;

/// <summary>
/// <see cref="IAccountRateLimiter"/> shared by every gateway process: one atomic Lua script (<c>Access/gcra.lua</c>) per
/// acquisition on the ledger's Redis server, on the server's clock. Keys <c>{KeyPrefix}rl:{{userId}}:...</c>; the hash tag keeps one
/// account's buckets in one cluster slot.
/// </summary>
/// <remarks>Thread-safe. One round trip per call.</remarks>
/// <param name="server">The ledger's connection; the call limit is its own <c>AsyncTimeout</c> (<see cref="RedisOptions.OperationTimeoutMs"/>).</param>
/// <param name="options">Key prefix and the ledger endpoint (for log lines).</param>
/// <param name="logger">Receives failed calls.</param>
internal sealed class RedisAccountRateLimiter(Task<ConnectionMultiplexer> server, RedisOptions options, ILogger logger) : IAccountRateLimiter
{
    public async ValueTask<RateDecision> AcquireAsync(IReadOnlyList<RateRule> rules, int cost, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rules.Count, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(cost, 1);
        var keys = new RedisKey[rules.Count];
        var args = new RedisValue[1 + (2 * rules.Count)];
        args[0] = cost;
        for (var i = 0; i < rules.Count; i++)
        {
            keys[i] = BucketKey(rules[i].Key);
            args[1 + (2 * i)] = rules[i].Limit;
            args[2 + (2 * i)] = rules[i].PeriodMs;
        }

        try
        {
            var database = (await server.WaitAsync(cancellationToken).ConfigureAwait(false)).GetDatabase();
            var reply = (RedisResult[])(await LuaScripts.AccountRateLimit.EvaluateAsync(database, keys, args).WaitAsync(cancellationToken).ConfigureAwait(false))!;
            return new RateDecision((long)reply[0] == 1, (int)(long)reply[1], (long)reply[2], (long)reply[3], (long)reply[4], (long)reply[5]);
        }
        catch (Exception ex) when (RedisCallFailure.Is(ex, cancellationToken))
        {
            RedisAccessLog.LimiterFailed(logger, options.LedgerEndpoint, ex);
            throw new AccessStoreUnavailableException($"Redis rate limiter {options.LedgerEndpoint}: {ex.Message}", ex);
        }
    }

    /// <summary><c>{prefix}rl:{account}:kind</c> from a rule key <c>kind:account</c>.</summary>
    private RedisKey BucketKey(string ruleKey)
    {
        var colon = ruleKey.IndexOf(':', StringComparison.Ordinal);
        return colon < 0
            ? (RedisKey)$"{options.KeyPrefix}rl:{{{ruleKey}}}"
            : (RedisKey)$"{options.KeyPrefix}rl:{{{ruleKey[(colon + 1)..]}}}:{ruleKey[..colon]}";
    }
}
