using System.Diagnostics;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace SmsGateway.Redis;

/// <summary>
/// One Redis server reached through its own StackExchange.Redis 1.2.6 multiplexer, connected lazily. Every call has a
/// time limit (1.2.6's async calls have none) and a script that the server forgot (NOSCRIPT after a restart or
/// SCRIPT FLUSH) is sent again once.
/// </summary>
/// <remarks>
/// Thread-safe. Calls throw <see cref="TimeoutException"/> past their limit and <see cref="RedisException"/> (or a
/// subclass) for connection and server errors; callers map both to their own "unavailable" exception. A call that
/// timed out may still run on the server later (its command is already on the wire); every script here is idempotent
/// or compare-and-set, so that is harmless.
/// </remarks>
internal sealed class RedisNode : IAsyncDisposable
{
    private readonly ConfigurationOptions _configuration;
    private readonly ILogger _logger;
    private readonly object _gate = new();
    private Task<ConnectionMultiplexer>? _connecting;
    private bool _disposed;

    public RedisNode(string endpoint, RedisOptions options, ILogger logger)
    {
        if (!RedisOptions.TryParseEndpoint(endpoint, out var host, out var port))
        {
            throw new ArgumentException($"invalid Redis endpoint '{endpoint}'", nameof(endpoint));
        }

        Endpoint = endpoint;
        _logger = logger;
        _configuration = new ConfigurationOptions
        {
            // Never throw from Connect when the server is down: keep reconnecting in the background.
            AbortOnConnectFail = false,
            ConnectTimeout = options.ConnectTimeoutMs,
            SyncTimeout = options.OperationTimeoutMs,
            ConnectRetry = 1,
            KeepAlive = 5,
            Password = options.Password,
            ClientName = "sms-gateway",
            // The lock nodes are independent masters; never let the client follow replicas or sentinels.
            TieBreaker = string.Empty,
            ConfigurationChannel = string.Empty,
        };
        _configuration.EndPoints.Add(host, port);
    }

    /// <summary>The server, <c>host:port</c>.</summary>
    public string Endpoint { get; }

    /// <summary>Runs a Lua script within <paramref name="timeout"/> (connecting first if needed).</summary>
    /// <exception cref="TimeoutException">No answer within <paramref name="timeout"/>.</exception>
    /// <exception cref="RedisException">Connection or server error.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired.</exception>
    public async Task<RedisResult> EvaluateAsync(string script, RedisKey[] keys, RedisValue[] args, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var database = await GetDatabaseAsync(timeout, cancellationToken).ConfigureAwait(false);
        for (var attempt = 0; ; attempt++)
        {
            var left = timeout - Stopwatch.GetElapsedTime(started);
            if (left <= TimeSpan.Zero)
            {
                throw new TimeoutException($"Redis {Endpoint}: no answer within {timeout.TotalMilliseconds:0} ms");
            }

            try
            {
                // 1.2.6 sends EVALSHA once it believes the server knows the script (SCRIPT LOAD + EVALSHA otherwise).
                return await database.ScriptEvaluateAsync(script, keys, args).WaitAsync(left, cancellationToken).ConfigureAwait(false);
            }
            catch (RedisServerException ex) when (attempt == 0 && ex.Message.StartsWith("NOSCRIPT", StringComparison.Ordinal))
            {
                // The server lost its script cache (restart, SCRIPT FLUSH); the client has flushed its own cache on
                // this reply, so the retry loads the script again.
                RedisLog.ScriptReloaded(_logger, Endpoint);
            }
            catch (TimeoutException)
            {
                throw new TimeoutException($"Redis {Endpoint}: no answer within {timeout.TotalMilliseconds:0} ms");
            }
        }
    }

    /// <summary>Runs <paramref name="call"/> against the database within <paramref name="timeout"/>.</summary>
    /// <exception cref="TimeoutException">No answer within <paramref name="timeout"/>.</exception>
    /// <exception cref="RedisException">Connection or server error.</exception>
    public async Task<T> RunAsync<T>(Func<IDatabase, Task<T>> call, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var database = await GetDatabaseAsync(timeout, cancellationToken).ConfigureAwait(false);
        var left = timeout - Stopwatch.GetElapsedTime(started);
        if (left <= TimeSpan.Zero)
        {
            throw new TimeoutException($"Redis {Endpoint}: no answer within {timeout.TotalMilliseconds:0} ms");
        }

        try
        {
            return await call(database).WaitAsync(left, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Redis {Endpoint}: no answer within {timeout.TotalMilliseconds:0} ms");
        }
    }

    private async Task<IDatabase> GetDatabaseAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        Task<ConnectionMultiplexer> connecting;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            connecting = _connecting ??= ConnectAsync();
        }

        if (!connecting.IsCompletedSuccessfully)
        {
            try
            {
                await connecting.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                throw new TimeoutException($"Redis {Endpoint}: not connected within {timeout.TotalMilliseconds:0} ms");
            }
        }

        return connecting.Result.GetDatabase();
    }

    private async Task<ConnectionMultiplexer> ConnectAsync()
    {
        try
        {
            var multiplexer = await ConnectionMultiplexer.ConnectAsync(_configuration).ConfigureAwait(false);
            if (!multiplexer.IsConnected)
            {
                RedisLog.NotConnectedYet(_logger, Endpoint);
            }

            return multiplexer;
        }
        catch (Exception ex)
        {
            // Let the next call try again instead of caching the failure.
            lock (_gate)
            {
                _connecting = null;
            }

            RedisLog.ConnectFailed(_logger, ex, Endpoint);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        Task<ConnectionMultiplexer>? connecting;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            connecting = _connecting;
            _connecting = null;
        }

        if (connecting is null)
        {
            return;
        }

        try
        {
            var multiplexer = await connecting.WaitAsync(TimeSpan.FromMilliseconds(_configuration.ConnectTimeout * 2.0)).ConfigureAwait(false);
            // Close(false): do not wait for pending replies (a frozen server would never send them).
            multiplexer.Close(allowCommandsToComplete: false);
            multiplexer.Dispose();
        }
        catch (Exception ex) when (ex is TimeoutException or RedisException)
        {
            RedisLog.ConnectFailed(_logger, ex, Endpoint);
        }
    }
}
