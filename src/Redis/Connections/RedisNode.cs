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

    /// <summary>False once a connection attempt finished and the client reports no live connection; true before the first use.</summary>
    public bool MayBeConnected
    {
        get
        {
            var connecting = Volatile.Read(ref _connecting);
            return connecting is null || !connecting.IsCompleted || (connecting.IsCompletedSuccessfully && connecting.Result.IsConnected);
        }
    }

    /// <summary>Runs a Lua script within <paramref name="timeout"/>; the very first call may also wait up to the connect timeout for the initial connection.</summary>
    /// <exception cref="TimeoutException">No answer within <paramref name="timeout"/>.</exception>
    /// <exception cref="RedisException">Connection or server error.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired.</exception>
    public async Task<RedisResult> EvaluateAsync(string script, RedisKey[] keys, RedisValue[] args, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var database = await GetDatabaseAsync(timeout, cancellationToken).ConfigureAwait(false);
        var started = Stopwatch.GetTimestamp();
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
        var database = await GetDatabaseAsync(timeout, cancellationToken).ConfigureAwait(false);
        try
        {
            return await call(database).WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Redis {Endpoint}: no answer within {timeout.TotalMilliseconds:0} ms");
        }
    }

    /// <summary>Starts connecting in the background (the first call would otherwise pay for the handshake).</summary>
    public void StartConnecting()
    {
        lock (_gate)
        {
            if (!_disposed)
            {
                _connecting ??= ConnectAsync();
            }
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
            // The first connection gets the connect timeout (a handshake takes longer than a command); after that
            // the client reconnects in the background and calls fail fast while it is down.
            var limit = TimeSpan.FromMilliseconds(Math.Max(timeout.TotalMilliseconds, _configuration.ConnectTimeout));
            try
            {
                await connecting.WaitAsync(limit, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                throw new TimeoutException($"Redis {Endpoint}: not connected within {limit.TotalMilliseconds:0} ms");
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
