using System.Globalization;
using Microsoft.Extensions.Logging;
using SmsGateway.Idempotency;
using StackExchange.Redis;

namespace SmsGateway.Redis;

/// <summary>
/// <see cref="IIdempotencyStore"/> in Redis: one hash per key (<c>{prefix}idem:{key}</c> with <c>fp</c>, <c>s</c> = P/C,
/// <c>code</c>, <c>body</c>), claimed, completed and released by Lua scripts (Scripts/idempotency-*.lua) so the first
/// request wins atomically. Thread-safe.
/// </summary>
internal sealed class RedisIdempotencyStore : IIdempotencyStore
{
    private readonly Task<ConnectionMultiplexer> _server;
    private readonly string _endpoint;
    private readonly RedisOptions _options;
    private readonly ILogger _logger;

    /// <param name="server">The store's connection; its AsyncTimeout (<see cref="RedisOptions.OperationTimeoutMs"/>) limits every call.</param>
    /// <param name="options">Key prefix.</param>
    /// <param name="logger">Failed calls.</param>
    public RedisIdempotencyStore(Task<ConnectionMultiplexer> server, RedisOptions options, ILogger logger)
    {
        _server = server;
        _endpoint = options.IdempotencyEndpoint ?? options.LedgerEndpoint;
        _options = options;
        _logger = logger;
    }

    public async ValueTask<IdempotencyClaim> TryClaimAsync(string key, string fingerprint, TimeSpan ttl, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(fingerprint);
        var result = (RedisResult[])(await RunAsync("claim", LuaScripts.IdempotencyClaim, [Key(key)], [fingerprint, TtlMs(ttl)], cancellationToken).ConfigureAwait(false))!;
        return (long)result[0] switch
        {
            0 => new IdempotencyClaim(IdempotencyState.Claimed),
            1 => new IdempotencyClaim(
                IdempotencyState.Completed,
                new StoredResponse(int.Parse((string)result[1]!, NumberStyles.Integer, CultureInfo.InvariantCulture), (string?)result[2] ?? string.Empty)),
            2 => new IdempotencyClaim(IdempotencyState.InProgress),
            3 => new IdempotencyClaim(IdempotencyState.Mismatch),
            var code => throw new IdempotencyStoreUnavailableException($"idempotency claim script answered unknown code {code}"),
        };
    }

    public async ValueTask CompleteAsync(string key, StoredResponse response, TimeSpan ttl, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(response);
        await RunAsync("complete", LuaScripts.IdempotencyComplete, [Key(key)], [response.StatusCode, response.Body, TtlMs(ttl)], cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask ReleaseAsync(string key, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        await RunAsync("release", LuaScripts.IdempotencyRelease, [Key(key)], [], cancellationToken).ConfigureAwait(false);
    }

    private RedisKey Key(string key) => _options.KeyPrefix + "idem:{" + key + "}";

    private static long TtlMs(TimeSpan ttl)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ttl, TimeSpan.Zero);
        return Math.Max(1, (long)ttl.TotalMilliseconds);
    }

    /// <summary>The database once the first connection attempt has ended (at once after that).</summary>
    private async ValueTask<IDatabase> DatabaseAsync()
        => _server.IsCompletedSuccessfully ? _server.Result.GetDatabase() : (await _server.ConfigureAwait(false)).GetDatabase();

    private async Task<RedisResult> RunAsync(string operation, RedisScript script, RedisKey[] keys, RedisValue[] args, CancellationToken cancellationToken)
    {
        try
        {
            return await script.EvaluateAsync(await DatabaseAsync().ConfigureAwait(false), keys, args).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (RedisCallFailure.Is(ex, cancellationToken))
        {
            RedisLog.IdempotencyFailed(_logger, ex, operation);
            throw new IdempotencyStoreUnavailableException($"idempotency store {_endpoint} unavailable ({operation}): {ex.Message}", ex);
        }
    }
}
