using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using SmsGateway.Billing;
using SmsGateway.Locking;
using SmsGateway.Redis;

namespace SmsGateway.Tests.Redis;

/// <summary>Stops, freezes and restarts servers, so each test starts its own three.</summary>
[Collection(FaultCollection.Name)]
public sealed class NodeFailureTests : IAsyncLifetime
{
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan Retry = TimeSpan.FromMilliseconds(10);
    private RedisServer[] _servers = [];
    private ServiceProvider? _provider;
    private RedisOptions _options = RedisOptions.Default;

    private IDistributedLockFactory Locks => _provider!.GetRequiredService<IDistributedLockFactory>();

    private IBalanceLedger Ledger => _provider!.GetRequiredService<IBalanceLedger>();

    public async Task InitializeAsync()
    {
        _servers = await RedisServer.StartManyAsync(3);
        _options = RedisServersFixture.For(_servers);
        _provider = RedisServersFixture.Provider(_options);

        // Warm up every connection so the tests measure failures, not the first handshake.
        await using var warm = await Locks.CreateLockAsync("warm-up", Ttl, TimeSpan.FromSeconds(5), Retry, CancellationToken.None);
        Assert.True(warm.IsAcquired, warm.Status.ToString());
        await Ledger.GetBalanceAsync("warm-up", CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        foreach (var s in _servers)
        {
            s.Thaw(); // SIGCONT before anything else, or the kill below would leave a stopped process
        }

        if (_provider is not null)
        {
            await _provider.DisposeAsync();
        }

        foreach (var s in _servers)
        {
            await s.DisposeAsync();
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task One_of_three_nodes_stopped_still_grants_locks()
    {
        await _servers[2].StopAsync();
        long last = 0;
        for (var i = 0; i < 10; i++)
        {
            await using var grant = await Locks.CreateLockAsync("user:one-down", Ttl, TimeSpan.FromSeconds(2), Retry, CancellationToken.None);
            Assert.Equal(DistributedLockStatus.Acquired, grant.Status);
            Assert.True(grant.FencingToken > last);
            last = grant.FencingToken;
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task Two_of_three_nodes_stopped_fails_fast_with_no_quorum()
    {
        await _servers[1].StopAsync();
        await _servers[2].StopAsync();

        for (var i = 0; i < 5; i++)
        {
            var sw = Stopwatch.StartNew();
            await using var grant = await Locks.CreateLockAsync("user:two-down", Ttl, TimeSpan.FromSeconds(10), Retry, CancellationToken.None);
            Assert.Equal(DistributedLockStatus.NoQuorum, grant.Status);
            Assert.False(grant.IsAcquired);
            Assert.Equal(0, grant.FencingToken);

            // Far below the 10 s wait: dead nodes are not waited for.
            Assert.True(sw.Elapsed < TimeSpan.FromSeconds(1.5), $"attempt {i} took {sw.ElapsedMilliseconds} ms");
        }

        // The surviving node holds no lock (a failed attempt releases what it got).
        Assert.Equal("0", await RedisCli.RunAsync(_servers[0].Port, "EXISTS", _options.KeyPrefix + "lock:{user:two-down}"));
    }

    [Fact(Timeout = 60_000)]
    public async Task Frozen_node_never_holds_a_call_past_its_timeout()
    {
        _servers[2].Freeze();
        try
        {
            // One frozen lock node of three: grants still come, none waits for the frozen node.
            var slowest = TimeSpan.Zero;
            for (var i = 0; i < 20; i++)
            {
                var sw = Stopwatch.StartNew();
                await using var grant = await Locks.CreateLockAsync("user:frozen", Ttl, TimeSpan.FromSeconds(2), Retry, CancellationToken.None);
                Assert.Equal(DistributedLockStatus.Acquired, grant.Status);
                slowest = sw.Elapsed > slowest ? sw.Elapsed : slowest;
            }

            Assert.True(slowest < TimeSpan.FromMilliseconds(_options.LockNodeTimeoutMs * 4), $"slowest grant {slowest.TotalMilliseconds} ms");

            // Two frozen: no quorum, answered within the node timeout (plus scheduling), never hanging.
            _servers[1].Freeze();
            var noQuorum = Stopwatch.StartNew();
            await using (var grant = await Locks.CreateLockAsync("user:frozen2", Ttl, TimeSpan.FromSeconds(10), Retry, CancellationToken.None))
            {
                Assert.False(grant.IsAcquired);
                Assert.Equal(DistributedLockStatus.NoQuorum, grant.Status);
            }

            Assert.True(noQuorum.Elapsed < TimeSpan.FromSeconds(3), $"took {noQuorum.ElapsedMilliseconds} ms");
        }
        finally
        {
            _servers[1].Thaw();
            _servers[2].Thaw();
        }

        // After SIGCONT the nodes answer again (once the client has reconnected).
        var token = await EventuallyAsync(async () =>
        {
            await using var back = await Locks.CreateLockAsync("user:frozen3", Ttl, TimeSpan.FromSeconds(1), Retry, CancellationToken.None);
            return back.IsAcquired ? back.FencingToken : throw new InvalidOperationException(back.Status.ToString());
        });
        Assert.True(token > 0);
    }

    [Fact(Timeout = 60_000)]
    public async Task Frozen_ledger_fails_with_ledger_unavailable_within_the_timeout()
    {
        var user = "u" + Guid.NewGuid().ToString("N");
        await Ledger.ChargeAsync(user, 100, "c", CancellationToken.None);
        _servers[0].Freeze();
        try
        {
            var sw = Stopwatch.StartNew();
            await Assert.ThrowsAsync<LedgerUnavailableException>(async () => await Ledger.ReserveAsync(user, [new(Guid.NewGuid(), 1)], 1, CancellationToken.None));
            await Assert.ThrowsAsync<LedgerUnavailableException>(async () => await Ledger.GetBalanceAsync(user, CancellationToken.None));
            Assert.True(sw.Elapsed < TimeSpan.FromMilliseconds((_options.OperationTimeoutMs * 2) + 1_000), $"took {sw.ElapsedMilliseconds} ms");
        }
        finally
        {
            _servers[0].Thaw();
        }
    }

    [Fact(Timeout = 90_000)]
    public async Task A_fence_call_the_client_drops_with_its_connection_leaves_no_grant_behind()
    {
        // The production call limit: the client's dead-socket check then tears the frozen ledger's connection down within
        // seconds and ends the call in flight with TaskCanceledException, although nobody cancelled it (docs/architecture.md
        // "Redis calls that fail"). Before that was handled, the granted lock behind that fence call was never released, and
        // RedLock.net's timer kept its keys alive: the user was refused (Conflicted) until the process restarted.
        await using var provider = RedisServersFixture.Provider(_options with { OperationTimeoutMs = 500 });
        var locks = provider.GetRequiredService<IDistributedLockFactory>();
        await using (var warm = await locks.CreateLockAsync("warm-up", Ttl, TimeSpan.FromSeconds(5), Retry, CancellationToken.None))
        {
            Assert.True(warm.IsAcquired, warm.Status.ToString());
        }

        // The ledger issues the fencing tokens (and is one lock node of three). Each freeze ends one call in flight that way.
        var failures = await WhileFrozenAsync(_servers[0], async () =>
        {
            await using var grant = await locks.CreateLockAsync("user:fence-cut", Ttl, TimeSpan.FromMilliseconds(300), Retry, CancellationToken.None);
            Assert.False(grant.IsAcquired, "granted without a fencing token");
        });

        var token = await EventuallyAsync(async () =>
        {
            await using var back = await locks.CreateLockAsync("user:fence-cut", Ttl, TimeSpan.FromSeconds(1), Retry, CancellationToken.None);
            return back.IsAcquired ? back.FencingToken : throw new InvalidOperationException(back.Status.ToString());
        });
        Assert.True(token > 0);
        Assert.Empty(failures); // an unrequested cancellation let out of CreateLockAsync would be answered 500 upstream
    }

    [Fact(Timeout = 60_000)]
    public async Task A_grant_without_a_fencing_token_is_not_tried_again()
    {
        // A frozen ledger node: the lock quorum is still there (two of three nodes answer), but no token comes. The caller
        // waits up to 5 s, room for several attempts; each one would cost a lock round and a whole ledger call, which is
        // how a frozen ledger held accept batches past their deadline. One attempt, then no quorum.
        var events = new RecordingLoggerFactory();
        await using var provider = new ServiceCollection().AddSingleton<Microsoft.Extensions.Logging.ILoggerFactory>(events)
            .AddRedisLedger(_options with { OperationTimeoutMs = 500 }).BuildServiceProvider();
        var locks = provider.GetRequiredService<IDistributedLockFactory>();
        await using (var warm = await locks.CreateLockAsync("warm-up", Ttl, TimeSpan.FromSeconds(5), Retry, CancellationToken.None))
        {
            Assert.True(warm.IsAcquired, warm.Status.ToString());
        }

        _servers[0].Freeze();
        try
        {
            await using var grant = await locks.CreateLockAsync("user:no-token", Ttl, TimeSpan.FromSeconds(5), Retry, CancellationToken.None);
            Assert.Equal(DistributedLockStatus.NoQuorum, grant.Status);
        }
        finally
        {
            _servers[0].Thaw();
        }

        Assert.Single(events.Events, e => e.Id == 3124); // "granted but no fencing token; released"
    }

    [Fact(Timeout = 90_000)]
    public async Task Ledger_calls_the_client_drops_with_their_connection_fail_as_ledger_unavailable()
    {
        await using var provider = RedisServersFixture.Provider(_options with { OperationTimeoutMs = 500 });
        var ledger = provider.GetRequiredService<IBalanceLedger>();
        var user = "u" + Guid.NewGuid().ToString("N");
        await ledger.ChargeAsync(user, 1_000, "c", CancellationToken.None);
        // Every call ends as LedgerUnavailableException (the accept stage's 503 and circuit), including the ones in flight when
        // the client gives the connection up (see the test above).
        var failures = await WhileFrozenAsync(_servers[0], async () =>
        {
            var error = await Record.ExceptionAsync(async () => await ledger.ReserveAsync(user, [new(Guid.NewGuid(), 1)], 1, CancellationToken.None));
            if (error is not LedgerUnavailableException)
            {
                throw error ?? new InvalidOperationException("a reserve succeeded on a frozen ledger");
            }
        });
        Assert.Empty(failures);

        var balance = await EventuallyAsync(() => ledger.GetBalanceAsync(user, CancellationToken.None).AsTask());
        Assert.Equal(1_000, balance.Charged); // a reserve that committed after the thaw is held, never lost or doubled
    }

    [Fact(Timeout = 60_000)]
    public async Task Stopped_ledger_fails_with_ledger_unavailable_and_recovers_after_restart()
    {
        var user = "u" + Guid.NewGuid().ToString("N");
        await Ledger.ChargeAsync(user, 100, "c", CancellationToken.None);
        await _servers[0].StopAsync();
        var sw = Stopwatch.StartNew();
        await Assert.ThrowsAsync<LedgerUnavailableException>(async () => await Ledger.ChargeAsync(user, 1, "c2", CancellationToken.None));
        Assert.True(sw.Elapsed < TimeSpan.FromMilliseconds(_options.OperationTimeoutMs + 1_000), $"took {sw.ElapsedMilliseconds} ms");

        // A restart loses the data and the server's script cache; scripts are sent again (NOSCRIPT or reconnect).
        await _servers[0].RestartAsync();
        var balance = await EventuallyAsync(() => Ledger.ChargeAsync(user, 7, "c3", CancellationToken.None).AsTask());
        Assert.Equal(7, balance.Available);
        var outcome = await Ledger.ReserveAsync(user, [new(Guid.NewGuid(), 5)], 1, CancellationToken.None);
        Assert.Equal([ReserveOutcome.Reserved], outcome);
    }

    [Fact(Timeout = 60_000)]
    public async Task Fencing_tokens_keep_growing_when_every_lock_node_restarts_empty()
    {
        long last = 0;
        for (var i = 0; i < 3; i++)
        {
            await using var grant = await Locks.CreateLockAsync("user:restart", Ttl, TimeSpan.FromSeconds(2), Retry, CancellationToken.None);
            Assert.True(grant.IsAcquired);
            last = grant.FencingToken;
        }

        foreach (var s in _servers)
        {
            await s.RestartAsync();
        }

        var after = await EventuallyAsync(async () =>
        {
            await using var grant = await Locks.CreateLockAsync("user:restart", Ttl, TimeSpan.FromSeconds(1), Retry, CancellationToken.None);
            return grant.IsAcquired ? grant.FencingToken : throw new InvalidOperationException(grant.Status.ToString());
        });
        Assert.True(after > last, $"{after} after {last}");
    }

    // Freezes the server three times for 4 s (past the client's dead-socket check, 4 call limits without a read), running
    // the call in a loop meanwhile; returns the exceptions the call let out.
    private static async Task<List<string>> WhileFrozenAsync(RedisServer server, Func<Task> call)
    {
        var failures = new List<string>();
        for (var cycle = 0; cycle < 3; cycle++)
        {
            server.Freeze();
            try
            {
                var frozen = Stopwatch.StartNew();
                while (frozen.Elapsed < TimeSpan.FromSeconds(4))
                {
                    try
                    {
                        await call();
                    }
                    catch (Exception ex) when (ex is not Xunit.Sdk.XunitException)
                    {
                        failures.Add($"cycle {cycle}, {frozen.ElapsedMilliseconds} ms: {ex.GetType().Name}: {ex.Message}");
                    }
                }
            }
            finally
            {
                server.Thaw();
            }

            await Task.Delay(1_000); // reconnected before the next freeze
        }

        return failures;
    }

    private static async Task<T> EventuallyAsync<T>(Func<Task<T>> action)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            try
            {
                return await action();
            }
            catch (Exception) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
    }
}
