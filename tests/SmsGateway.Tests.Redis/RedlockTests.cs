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
        Assert.IsAssignableFrom<IRedisLock>(first);

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
    public async Task Fencing_tokens_stay_monotonic_when_node_counters_disagree()
    {
        var resource = Resource();
        await using var first = await _locks.CreateLockAsync(resource, Ttl, TimeSpan.FromSeconds(1), Retry, CancellationToken.None);
        await first.DisposeAsync();

        // Push one node's counter far ahead (as a node that restarted, or took grants the others missed, would be).
        var fenceKey = _options.KeyPrefix + "fence:{" + resource + "}";
        var ahead = first.FencingToken + 1_000_000;
        await RedisCli.RunAsync(_fixture.Servers[1].Port, "SET", fenceKey, ahead.ToString(System.Globalization.CultureInfo.InvariantCulture));

        long last = first.FencingToken;
        for (var i = 0; i < 10; i++)
        {
            await using var grant = await _locks.CreateLockAsync(resource, Ttl, TimeSpan.FromSeconds(2), Retry, CancellationToken.None);
            Assert.True(grant.IsAcquired);
            Assert.True(grant.FencingToken > last, $"grant {i}: {grant.FencingToken} after {last}");
            last = grant.FencingToken;
        }

        // The lagging quorum nodes were raised: a quorum now holds the latest token, so any later quorum sees it.
        var counters = await Task.WhenAll(_fixture.Servers.Select(s => RedisCli.RunAsync(s.Port, "GET", fenceKey)));
        Assert.True(last > ahead);
        Assert.True(counters.Count(c => long.Parse(c, System.Globalization.CultureInfo.InvariantCulture) >= last) >= 2, string.Join(",", counters));
    }

    [Fact(Timeout = 30_000)]
    public async Task Expired_holder_cannot_commit_its_stale_token()
    {
        var ledger = _provider.GetRequiredService<IBalanceLedger>();
        var user = "u" + Guid.NewGuid().ToString("N");
        await ledger.ChargeAsync(user, 100, "c", CancellationToken.None);
        var ttl = TimeSpan.FromMilliseconds(1000); // long enough that a loaded machine still sees the grant valid at first

        await using var slow = (IRedisLock)await _locks.CreateLockAsync("user:" + user, ttl, TimeSpan.FromSeconds(1), Retry, CancellationToken.None);
        Assert.True(slow.IsAcquired);

        // The holder pauses (GC, VM stall) longer than its ttl: the grant is reported lost.
        await Task.Delay(ttl + TimeSpan.FromMilliseconds(100));
        Assert.Equal(DistributedLockStatus.Expired, slow.Status);

        // The loss signal comes from a timer, which a loaded machine may run a little late.
        var reportedBy = DateTime.UtcNow.AddSeconds(2);
        while (!slow.Lost.IsCancellationRequested && DateTime.UtcNow < reportedBy)
        {
            await Task.Delay(10);
        }

        Assert.True(slow.Lost.IsCancellationRequested);

        // Meanwhile another holder takes the lock and reserves.
        // A long ttl for this one: on a loaded machine a 300 ms grant can run out before the asserts below read it.
        await using var fresh = await _locks.CreateLockAsync("user:" + user, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(1), Retry, CancellationToken.None);
        Assert.True(fresh.IsAcquired);
        Assert.True(fresh.FencingToken > slow.FencingToken);
        Assert.Equal([ReserveOutcome.Reserved], await ledger.ReserveAsync(user, [new(Guid.NewGuid(), 30)], fresh.FencingToken, CancellationToken.None));

        // The paused holder wakes up and tries to commit: refused, nothing moves.
        var late = await ledger.ReserveAsync(user, [new(Guid.NewGuid(), 50)], slow.FencingToken, CancellationToken.None);
        Assert.Equal([ReserveOutcome.StaleFencingToken], late);
        var balance = await ledger.GetBalanceAsync(user, CancellationToken.None);
        Assert.Equal((70L, 30L, 0L), (balance.Available, balance.Reserved, balance.Spent));
    }

    [Fact(Timeout = 30_000)]
    public async Task Auto_extension_keeps_the_lock_past_its_ttl()
    {
        await using var provider = RedisServersFixture.Provider(_options with { LockAutoExtend = true });
        var locks = provider.GetRequiredService<IDistributedLockFactory>();
        var resource = Resource();
        var ttl = TimeSpan.FromMilliseconds(900);
        await using var held = (IRedisLock)await locks.CreateLockAsync(resource, ttl, TimeSpan.FromSeconds(1), Retry, CancellationToken.None);
        Assert.True(held.IsAcquired, held.Status.ToString());

        await Task.Delay(ttl * 2.5);
        Assert.Equal(DistributedLockStatus.Acquired, held.Status);
        Assert.False(held.Lost.IsCancellationRequested);
        Assert.True(held.ValidUntil > DateTimeOffset.UtcNow);
        await using var denied = await _locks.CreateLockAsync(resource, ttl, TimeSpan.Zero, Retry, CancellationToken.None);
        Assert.Equal(DistributedLockStatus.Conflicted, denied.Status);

        await held.DisposeAsync();
        Assert.False(held.Lost.IsCancellationRequested);
        await using var after = await _locks.CreateLockAsync(resource, ttl, TimeSpan.FromSeconds(1), Retry, CancellationToken.None);
        Assert.True(after.IsAcquired);
    }

    [Fact(Timeout = 30_000)]
    public async Task Failed_extension_is_reported_as_loss()
    {
        await using var provider = RedisServersFixture.Provider(_options with { LockAutoExtend = true });
        var locks = provider.GetRequiredService<IDistributedLockFactory>();
        var resource = Resource();
        var ttl = TimeSpan.FromMilliseconds(1_500);
        await using var held = (IRedisLock)await locks.CreateLockAsync(resource, ttl, TimeSpan.FromSeconds(1), Retry, CancellationToken.None);
        Assert.True(held.IsAcquired, held.Status.ToString());
        var lost = new TaskCompletionSource();
        using var registration = held.Lost.Register(() => lost.TrySetResult());

        // Someone deletes the lock on two of three nodes (as a failover without persistence would).
        var lockKey = _options.KeyPrefix + "lock:{" + resource + "}";
        await RedisCli.RunAsync(_fixture.Servers[0].Port, "DEL", lockKey);
        await RedisCli.RunAsync(_fixture.Servers[1].Port, "DEL", lockKey);

        // The next extension (at ttl/3) reaches only one node: the loss is reported well before the ttl would end.
        var sw = Stopwatch.StartNew();
        await lost.Task.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.True(sw.Elapsed < ttl, $"loss reported after {sw.ElapsedMilliseconds} ms");
        Assert.Equal(DistributedLockStatus.Expired, held.Status);
        Assert.False(held.IsAcquired);
        Assert.False(await held.ExtendAsync(CancellationToken.None));
    }

    [Fact(Timeout = 30_000)]
    public async Task Manual_extension_moves_validity()
    {
        var resource = Resource();
        var ttl = TimeSpan.FromMilliseconds(1_500);
        await using var held = (IRedisLock)await _locks.CreateLockAsync(resource, ttl, TimeSpan.FromSeconds(1), Retry, CancellationToken.None);
        Assert.True(held.IsAcquired, held.Status.ToString());
        var before = held.ValidUntil;
        await Task.Delay(500);
        Assert.True(await held.ExtendAsync(CancellationToken.None));
        Assert.True(held.ValidUntil > before + TimeSpan.FromMilliseconds(300), $"{held.ValidUntil:O} vs {before:O}");
        Assert.Equal(DistributedLockStatus.Acquired, held.Status);
        Assert.False(held.Lost.IsCancellationRequested);
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

    private static string Resource() => "user:" + Guid.NewGuid().ToString("N");
}
