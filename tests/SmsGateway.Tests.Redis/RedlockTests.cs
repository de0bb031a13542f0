using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using SmsGateway.Billing;
using SmsGateway.Locking;
using SmsGateway.Redis;

namespace SmsGateway.Tests.Redis;

[Collection(RedisCollection.Name)]
public sealed class RedlockTests : IAsyncLifetime
{
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan Retry = TimeSpan.FromMilliseconds(10);
    private readonly RedisServersFixture _fixture;
    private readonly RedisOptions _options;
    private readonly ServiceProvider _provider;
    private readonly IDistributedLockFactory _locks;

    public RedlockTests(RedisServersFixture fixture)
    {
        _fixture = fixture;
        _options = fixture.Options();
        _provider = RedisServersFixture.Provider(_options);
        _locks = _provider.GetRequiredService<IDistributedLockFactory>();
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _provider.DisposeAsync();

    [Fact(Timeout = 30_000)]
    public async Task Acquire_conflict_release_reacquire_with_growing_token()
    {
        var resource = Resource();
        var started = DateTimeOffset.UtcNow;
        await using var first = await _locks.CreateLockAsync(resource, Ttl, TimeSpan.FromSeconds(1), Retry, CancellationToken.None);
        Assert.Equal(DistributedLockStatus.Acquired, first.Status);
        Assert.True(first.IsAcquired, first.Status.ToString());
        Assert.True(first.FencingToken > 0);
        Assert.InRange(first.ValidUntil, started + Ttl - TimeSpan.FromMilliseconds(500), started + Ttl);

        // A second holder (own connections, as another process would have) conflicts and waits out its wait time.
        await using var other = RedisServersFixture.Provider(_options);
        var otherLocks = other.GetRequiredService<IDistributedLockFactory>();
        var sw = Stopwatch.StartNew();
        await using var denied = await otherLocks.CreateLockAsync(resource, Ttl, TimeSpan.FromMilliseconds(200), Retry, CancellationToken.None);
        Assert.Equal(DistributedLockStatus.Conflicted, denied.Status);
        Assert.False(denied.IsAcquired);
        Assert.Equal(0, denied.FencingToken);
        Assert.InRange(sw.ElapsedMilliseconds, 150, 1_500);

        await first.DisposeAsync();
        Assert.Equal(DistributedLockStatus.Unlocked, first.Status);
        await using var second = await otherLocks.CreateLockAsync(resource, Ttl, TimeSpan.FromSeconds(1), Retry, CancellationToken.None);
        Assert.Equal(DistributedLockStatus.Acquired, second.Status);
        Assert.True(second.FencingToken > first.FencingToken, $"{second.FencingToken} > {first.FencingToken}");
    }

    [Fact(Timeout = 30_000)]
    public async Task Waiting_holder_gets_the_lock_once_released()
    {
        var resource = Resource();
        var first = await _locks.CreateLockAsync(resource, Ttl, TimeSpan.FromSeconds(1), Retry, CancellationToken.None);
        Assert.True(first.IsAcquired, first.Status.ToString());
        var waiting = _locks.CreateLockAsync(resource, Ttl, TimeSpan.FromSeconds(5), Retry, CancellationToken.None);
        await Task.Delay(100);
        Assert.False(waiting.IsCompleted);
        await first.DisposeAsync();
        await using var second = await waiting;
        Assert.Equal(DistributedLockStatus.Acquired, second.Status);
        Assert.True(second.FencingToken > first.FencingToken);
    }

    [Fact(Timeout = 30_000)]
    public async Task Fencing_tokens_grow_across_grants_and_factories()
    {
        var resource = Resource();
        await using var other = RedisServersFixture.Provider(_options);
        IDistributedLockFactory[] factories = [_locks, other.GetRequiredService<IDistributedLockFactory>()];
        long last = 0;
        for (var i = 0; i < 40; i++)
        {
            await using var grant = await factories[i % 2].CreateLockAsync(resource, Ttl, TimeSpan.FromSeconds(2), Retry, CancellationToken.None);
            Assert.True(grant.IsAcquired);
            Assert.True(grant.FencingToken > last, $"grant {i}: {grant.FencingToken} after {last}");
            last = grant.FencingToken;
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task Fencing_tokens_come_from_the_ledger_node_and_survive_a_lost_counter()
    {
        var resource = Resource();
        await using var first = await _locks.CreateLockAsync(resource, Ttl, TimeSpan.FromSeconds(1), Retry, CancellationToken.None);
        Assert.True(first.IsAcquired, first.Status.ToString());

        // The store that checks the token (the ledger, on server 0) issued it; no lock node keeps a counter.
        var fenceKey = _options.KeyPrefix + "fence:{" + resource + "}";
        Assert.Equal(first.FencingToken.ToString(System.Globalization.CultureInfo.InvariantCulture), await RedisCli.RunAsync(_fixture.Servers[0].Port, "GET", fenceKey));
        await first.DisposeAsync();

        // The counter is lost (expired, or the ledger restarted without persistence): it restarts above every earlier token.
        Assert.Equal("1", await RedisCli.RunAsync(_fixture.Servers[0].Port, "DEL", fenceKey));
        long last = first.FencingToken;
        for (var i = 0; i < 5; i++)
        {
            await using var grant = await _locks.CreateLockAsync(resource, Ttl, TimeSpan.FromSeconds(2), Retry, CancellationToken.None);
            Assert.True(grant.IsAcquired);
            Assert.True(grant.FencingToken > last, $"grant {i}: {grant.FencingToken} after {last}");
            last = grant.FencingToken;
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task Lost_holder_is_reported_expired_and_cannot_commit_its_stale_token()
    {
        var ledger = _provider.GetRequiredService<IBalanceLedger>();
        var user = "u" + Guid.NewGuid().ToString("N");
        await ledger.ChargeAsync(user, 100, "c", CancellationToken.None);
        var ttl = TimeSpan.FromMilliseconds(1000); // long enough that a loaded machine still sees the grant valid at first

        await using var slow = await _locks.CreateLockAsync("user:" + user, ttl, TimeSpan.FromSeconds(1), Retry, CancellationToken.None);
        Assert.True(slow.IsAcquired);

        // The holder's keys lapse on two of three nodes and an intruder takes them (failover without persistence, or a
        // pause past the ttl): RedLock.net's next background extension (ttl/2) is refused there and the grant reads
        // Expired before any further write. The intruder then releases.
        var lockKey = _options.KeyPrefix + "lock:{user:" + user + "}";
        await TakeOverAsync(lockKey, _fixture.Servers[0].Port, _fixture.Servers[1].Port);
        await EventuallyExpiredAsync(slow, TimeSpan.FromSeconds(3));
        Assert.False(slow.IsAcquired);
        await RedisCli.RunAsync(_fixture.Servers[0].Port, "DEL", lockKey);
        await RedisCli.RunAsync(_fixture.Servers[1].Port, "DEL", lockKey);

        // Meanwhile another holder takes the lock and reserves.
        // A long ttl for this one: on a loaded machine a 300 ms grant can run out before the asserts below read it.
        await using var fresh = await _locks.CreateLockAsync("user:" + user, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(1), Retry, CancellationToken.None);
        Assert.True(fresh.IsAcquired);
        Assert.True(fresh.FencingToken > slow.FencingToken);
        Assert.Equal([ReserveOutcome.Reserved], await ledger.ReserveAsync(user, [new(Guid.NewGuid(), 30)], fresh.FencingToken, CancellationToken.None));

        // A holder that ignored the status and commits anyway is refused by the ledger: nothing moves.
        var late = await ledger.ReserveAsync(user, [new(Guid.NewGuid(), 50)], slow.FencingToken, CancellationToken.None);
        Assert.Equal([ReserveOutcome.StaleFencingToken], late);
        var balance = await ledger.GetBalanceAsync(user, CancellationToken.None);
        Assert.Equal((70L, 30L, 0L), (balance.Available, balance.Reserved, balance.Spent));
    }

    [Fact(Timeout = 30_000)]
    public async Task Background_extension_keeps_the_lock_past_its_ttl_and_moves_validity()
    {
        var resource = Resource();
        // 6 s: the grant counts an extension only from its scheduled time (ttl/2 steps), so a timer that a loaded machine runs
        // more than ~ttl/2 late reads as a loss (conservative by design, RedisLockGrant). RedLock.net extends with synchronous
        // calls on pool threads; 1.5 s per node, because 250 and 500 ms timed out at load average 30-40 (a loss, rightly).
        // With 4 s, one full-suite run in four saw an extension land more than 2 s late while other test classes ran.
        var ttl = TimeSpan.FromSeconds(6);
        await using var provider = RedisServersFixture.Provider(_options with { LockNodeTimeoutMs = 1_500, LockTtlMs = 6_000 });
        await using var held = await provider.GetRequiredService<IDistributedLockFactory>().CreateLockAsync(resource, ttl, TimeSpan.FromSeconds(1), Retry, CancellationToken.None);
        Assert.True(held.IsAcquired, held.Status.ToString());
        var before = held.ValidUntil;

        await Task.Delay(ttl * 2);
        Assert.Equal(DistributedLockStatus.Acquired, held.Status);
        Assert.True(held.ValidUntil > DateTimeOffset.UtcNow);
        Assert.True(held.ValidUntil > before + (ttl / 2), $"{held.ValidUntil:O} vs {before:O}");
        await using var denied = await _locks.CreateLockAsync(resource, ttl, TimeSpan.Zero, Retry, CancellationToken.None);
        Assert.Equal(DistributedLockStatus.Conflicted, denied.Status);

        await held.DisposeAsync();
        Assert.Equal(DistributedLockStatus.Unlocked, held.Status);
        await using var after = await _locks.CreateLockAsync(resource, ttl, TimeSpan.FromSeconds(1), Retry, CancellationToken.None);
        Assert.True(after.IsAcquired);
    }

    [Fact(Timeout = 30_000)]
    public async Task Failed_extension_is_reported_as_loss_before_the_ttl_ends()
    {
        var resource = Resource();
        var ttl = TimeSpan.FromMilliseconds(1_500);
        await using var held = await _locks.CreateLockAsync(resource, ttl, TimeSpan.FromSeconds(1), Retry, CancellationToken.None);
        Assert.True(held.IsAcquired, held.Status.ToString());

        // Another holder has the lock on two of three nodes (as after a failover without persistence). Deleting the keys
        // would not do: RedLock.net's extension script re-creates a missing key.
        var lockKey = _options.KeyPrefix + "lock:{" + resource + "}";
        await TakeOverAsync(lockKey, _fixture.Servers[0].Port, _fixture.Servers[1].Port);

        // The next extension (at ttl/2) reaches only one node: the loss is reported well before the ttl would end.
        var sw = Stopwatch.StartNew();
        await EventuallyExpiredAsync(held, TimeSpan.FromSeconds(5));
        Assert.True(sw.Elapsed < ttl, $"loss reported after {sw.ElapsedMilliseconds} ms");
        Assert.False(held.IsAcquired);

        // The loss is final, and the lost grant was released on the node it still held.
        await Task.Delay(ttl);
        Assert.Equal(DistributedLockStatus.Expired, held.Status);
        Assert.Equal("0", await RedisCli.RunAsync(_fixture.Servers[2].Port, "EXISTS", lockKey));
    }

    [Fact(Timeout = 30_000)]
    public async Task Bad_arguments_throw()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => _locks.CreateLockAsync("", Ttl, TimeSpan.Zero, Retry, CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _locks.CreateLockAsync("r", TimeSpan.Zero, TimeSpan.Zero, Retry, CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _locks.CreateLockAsync("r", Ttl, TimeSpan.FromSeconds(-1), Retry, CancellationToken.None));
    }

    [Fact(Timeout = 30_000)]
    public async Task Cancellation_stops_the_wait()
    {
        var resource = Resource();
        await using var held = await _locks.CreateLockAsync(resource, Ttl, TimeSpan.FromSeconds(1), Retry, CancellationToken.None);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        var sw = Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _locks.CreateLockAsync(resource, Ttl, TimeSpan.FromSeconds(10), Retry, cts.Token));
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(2));
    }

    private static async Task TakeOverAsync(string lockKey, params int[] ports)
    {
        foreach (var port in ports)
        {
            Assert.Equal("OK", await RedisCli.RunAsync(port, "SET", lockKey, "intruder", "PX", "10000"));
        }
    }

    private static async Task EventuallyExpiredAsync(IDistributedLock grant, TimeSpan within)
    {
        var deadline = Stopwatch.StartNew();
        while (grant.Status != DistributedLockStatus.Expired)
        {
            Assert.True(deadline.Elapsed < within, $"still {grant.Status} after {deadline.ElapsedMilliseconds} ms");
            await Task.Delay(10);
        }
    }

    private static string Resource() => "user:" + Guid.NewGuid().ToString("N");
}
