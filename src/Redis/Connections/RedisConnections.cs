using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace SmsGateway.Redis;

/// <summary>
/// Owns the StackExchange.Redis multiplexers: one for the ledger, one for the idempotency store (shared with the ledger
/// when both use the same endpoint) and one per lock node. Every limit is the client's own: <c>AsyncTimeout</c> /
/// <c>SyncTimeout</c> per call, <c>ConnectTimeout</c> per (re)connection. Disposed by the DI container, which closes
/// every connection.
/// </summary>
/// <remarks>
/// A lock node gets its own multiplexer even when it shares the ledger's endpoint, because its call limit
/// (<see cref="RedisOptions.LockNodeTimeoutMs"/>) is shorter than the ledger's (<see cref="RedisOptions.OperationTimeoutMs"/>).
/// All connections start at once in the background; a server that is down does not stop start-up: the client keeps
/// reconnecting in the background and calls fail with the callers' "unavailable" exceptions meanwhile. Public so the host's
/// readiness checks can read the connections' state (README "Readiness"). Thread-safe.
/// </remarks>
public sealed class RedisConnections : IAsyncDisposable, IDisposable
{
    private readonly Task<ConnectionMultiplexer>[] _all;
    private int _disposed;

    /// <summary>Starts connecting to every endpoint of <paramref name="options"/>, which the caller
    /// (<see cref="RedisServiceCollectionExtensions.AddRedisLedger"/>) has validated. Never blocks: callers await the tasks
    /// (blocking here starved the thread pool when a thousand requests resolved the services at once).</summary>
    public RedisConnections(RedisOptions options, ILoggerFactory loggerFactory)
    {
        var logger = loggerFactory.CreateLogger("SmsGateway.Redis");
        Ledger = ConnectAsync(Configure(options.LedgerEndpoint, options.OperationTimeoutMs, BacklogPolicy.Default, options, loggerFactory), logger, loadScripts: true);
        Idempotency = options.IdempotencyEndpoint is { } endpoint && !string.Equals(endpoint, options.LedgerEndpoint, StringComparison.OrdinalIgnoreCase)
            ? ConnectAsync(Configure(endpoint, options.OperationTimeoutMs, BacklogPolicy.Default, options, loggerFactory), logger, loadScripts: true)
            : Ledger;

        // Lock calls fail at once while a node's connection is down (FailFast): a dead node must not hold up a grant.
        Task<ConnectionMultiplexer>[] locks = [.. options.LockEndpoints
            .Select(e => ConnectAsync(Configure(e, options.LockNodeTimeoutMs, BacklogPolicy.FailFast, options, loggerFactory), logger, loadScripts: false))];
        LockNodes = Task.WhenAll(locks);
        _all = [Ledger, .. ReferenceEquals(Idempotency, Ledger) ? Array.Empty<Task<ConnectionMultiplexer>>() : [Idempotency], .. locks];
    }

    /// <summary>The ledger server; also issues fencing tokens (Scripts/lock-fence.lua). Completes after the first connection
    /// attempt (at most <see cref="RedisOptions.ConnectTimeoutMs"/>), connected or not.</summary>
    public Task<ConnectionMultiplexer> Ledger { get; }

    /// <summary>The idempotency-key server (the ledger's connection when the endpoints are equal).</summary>
    public Task<ConnectionMultiplexer> Idempotency { get; }

    /// <summary>The Redlock masters, in <see cref="RedisOptions.LockEndpoints"/> order.</summary>
    public Task<ConnectionMultiplexer[]> LockNodes { get; }

    /// <summary>The client settings of one connection.</summary>
    /// <param name="endpoint"><c>host:port</c>, already validated.</param>
    /// <param name="timeoutMs">Limit of one call, ms (sync and async).</param>
    /// <param name="backlog">What happens to a call while the connection is down.</param>
    /// <param name="options">Password, connect timeout.</param>
    /// <param name="loggerFactory">Receives the client's own connection log.</param>
    internal static ConfigurationOptions Configure(string endpoint, int timeoutMs, BacklogPolicy backlog, RedisOptions options, ILoggerFactory loggerFactory)
    {
        if (!RedisOptions.TryParseEndpoint(endpoint, out var host, out var port))
        {
            throw new ArgumentException($"invalid Redis endpoint '{endpoint}'", nameof(endpoint));
        }

        var configuration = new ConfigurationOptions
        {
            // Never throw from Connect when the server is down: keep reconnecting in the background.
            AbortOnConnectFail = false,
            ConnectTimeout = options.ConnectTimeoutMs,
            ConnectRetry = 1,
            SyncTimeout = timeoutMs,
            AsyncTimeout = timeoutMs,
            // Timed-out calls are found by the heartbeat: at a tenth of the call limit (at least 50 ms) a call fails within ~1.1 limits
            // (the client's default, 1 s, let a frozen ledger hold a 2 s call for 2.9 s, and would hold a 200 ms lock call for up to 1.2 s).
            HeartbeatInterval = TimeSpan.FromMilliseconds(Math.Clamp(timeoutMs / 10, 50, 1000)),
            BacklogPolicy = backlog,
            KeepAlive = 5,
            Password = options.Password,
            ClientName = "sms-gateway",
            LoggerFactory = loggerFactory,
            // Socket I/O completes on the .NET thread pool, not on the client's own dedicated threads: on a 2-core machine
            // those threads' wake-ups took ~40 % of the host's CPU samples at saturation (docs/architecture.md, Money and locks).
            SocketManager = SocketManager.ThreadPool,
            // Independent masters: never follow replicas, sentinels or a tie-breaker key.
            TieBreaker = string.Empty,
            ConfigurationChannel = string.Empty,
        };
        configuration.EndPoints.Add(host, port);
        return configuration;
    }

    /// <summary>Closes every connection without waiting for pending calls.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        foreach (var connecting in _all)
        {
            // ConnectAsync never throws for an unreachable server (AbortOnConnectFail = false) and ends within ConnectTimeout.
            var multiplexer = await connecting.ConfigureAwait(false);
            // allowCommandsToComplete: false — a frozen server would never answer the pending calls (or QUIT).
            await multiplexer.CloseAsync(allowCommandsToComplete: false).ConfigureAwait(false);
            await multiplexer.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Closes every connection (blocks until closed).</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    // With loadScripts, the gateway's Lua scripts are loaded before the connection is handed out and again whenever it is
    // restored (a restarted server has forgotten them). Without this, the concurrent first calls of each script all met
    // NOSCRIPT and were sent again whole: 30 such replies in the first 10 s of a closed-model run, 1,510 at the start of a
    // bulk run (bench/README.md "Redis scripts loaded when a connection opens"). RedisScript's resend on NOSCRIPT stays the
    // guarantee; this saves the round trips.
    private static async Task<ConnectionMultiplexer> ConnectAsync(ConfigurationOptions configuration, ILogger logger, bool loadScripts)
    {
        var multiplexer = await ConnectionMultiplexer.ConnectAsync(configuration).ConfigureAwait(false);
        var endpoint = configuration.EndPoints[0].ToString() ?? "?";
        if (loadScripts)
        {
            multiplexer.ConnectionRestored += (_, e) =>
            {
                if (e.ConnectionType == ConnectionType.Interactive)
                {
                    _ = LoadScriptsAsync(multiplexer, endpoint, logger);
                }
            };
        }

        if (!multiplexer.IsConnected)
        {
            RedisLog.NotConnectedYet(logger, endpoint);
        }
        else if (loadScripts)
        {
            await LoadScriptsAsync(multiplexer, endpoint, logger).ConfigureAwait(false);
        }

        return multiplexer;
    }

    // SCRIPT LOAD of every script (https://redis.io/commands/script-load/), all sent at once. Never throws: a failure is
    // logged, and each script not loaded is sent whole on its first NOSCRIPT as before.
    private static async Task LoadScriptsAsync(ConnectionMultiplexer multiplexer, string endpoint, ILogger logger)
    {
        try
        {
            var server = multiplexer.GetServer(multiplexer.GetEndPoints()[0]);
            await Task.WhenAll(LuaScripts.All.Select(s => server.ScriptLoadAsync(s.Text))).ConfigureAwait(false);
        }
        catch (Exception ex) when (RedisCallFailure.Is(ex))
        {
            RedisLog.ScriptsNotLoaded(logger, ex, endpoint);
        }
    }
}
