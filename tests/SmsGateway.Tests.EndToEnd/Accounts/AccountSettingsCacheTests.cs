using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using SmsGateway.Accounts;
using SmsGateway.Host.Accounts;
using SmsGateway.Status;
using Xunit;

namespace SmsGateway.Tests.EndToEnd.Accounts;

/// <summary>
/// The account settings cache under a store that hangs or fails (README "Store outages on the accept path"). Time bounds are
/// functional ("answered within 1 s while the store hangs for 30 s"), not performance figures.
/// </summary>
public sealed class AccountSettingsCacheTests
{
    private static readonly StoreCacheOptions ShortTtl = new() { Ttl = TimeSpan.FromMilliseconds(50) };

    [Fact]
    public async Task Concurrent_misses_for_one_account_share_one_store_read()
    {
        var store = new GatedStore();
        var cache = new AccountSettingsCache(store, NullLogger<AccountSettingsCache>.Instance, new StoreCacheOptions { ColdWait = TimeSpan.FromSeconds(30) }, null);

        var waiters = Enumerable.Range(0, 50).Select(_ => cache.GetAsync("u1", CancellationToken.None).AsTask()).ToArray();
        await store.FirstReadStarted.Task.WaitAsync(TimeSpan.FromSeconds(10));
        store.Release.SetResult();
        var results = await Task.WhenAll(waiters);

        Assert.Equal(1, store.Reads);
        Assert.All(results, s => Assert.Equal(["A1"], s.AllowedSenders));
    }

    [Fact]
    public async Task A_failed_read_is_not_kept_it_refuses_at_once_within_the_retry_interval_and_the_next_miss_reads_again()
    {
        var store = new GatedStore { FailNext = true };
        store.Release.SetResult();
        var cache = new AccountSettingsCache(store, NullLogger<AccountSettingsCache>.Instance, new StoreCacheOptions { RetryInterval = TimeSpan.FromMilliseconds(300) }, null);

        await Assert.ThrowsAsync<StatusStoreUnavailableException>(() => cache.GetAsync("u1", CancellationToken.None).AsTask());
        await Assert.ThrowsAsync<StatusStoreUnavailableException>(() => cache.GetAsync("u1", CancellationToken.None).AsTask());
        Assert.Equal(1, store.Reads); // the second was refused without asking the store

        await Task.Delay(400);
        var settings = await cache.GetAsync("u1", CancellationToken.None);

        Assert.Equal(2, store.Reads);
        Assert.Equal(["A1"], settings.AllowedSenders);
    }

    [Fact(Timeout = 20_000)]
    public async Task A_held_copy_is_served_within_the_cold_wait_while_the_store_hangs_and_only_one_refresh_is_in_flight()
    {
        var store = new OutageStores();
        await store.SaveAsync(new AccountSettings("u1", ["A1"], null, null), CancellationToken.None);
        var cache = new AccountSettingsCache(store, NullLogger<AccountSettingsCache>.Instance, ShortTtl, null);
        await ColdRead.WarmAsync(() => cache.GetAsync("u1", CancellationToken.None).AsTask());
        Assert.Equal(["A1"], (await cache.GetAsync("u1", CancellationToken.None)).AllowedSenders);
        var callsBefore = store.Calls;

        store.Mode = StoreMode.Hangs;
        await Task.Delay(100); // past the TTL: the copy is stale
        var clock = Stopwatch.StartNew();
        var answers = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => cache.GetAsync("u1", CancellationToken.None).AsTask()));

        // They wait for the one refresh at most the cold wait (500 ms) from its start, then get the held copy.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"answered in {clock.ElapsedMilliseconds} ms while the store hangs for 30 s");
        Assert.All(answers, s => Assert.Equal(["A1"], s.AllowedSenders));
        var until = DateTime.UtcNow.AddSeconds(5);
        while (store.Calls == callsBefore && DateTime.UtcNow < until)
        {
            await Task.Delay(10); // the refresh runs on the thread pool
        }

        await Task.Delay(100);
        Assert.Equal(callsBefore + 1, store.Calls); // one background refresh for 200 requests
    }

    [Fact(Timeout = 20_000)]
    public async Task A_held_copy_keeps_serving_while_the_store_fails_and_is_refreshed_once_it_answers()
    {
        var store = new OutageStores();
        await store.SaveAsync(new AccountSettings("u1", ["A1"], null, null), CancellationToken.None);
        var cache = new AccountSettingsCache(store, NullLogger<AccountSettingsCache>.Instance, ShortTtl with { RetryInterval = TimeSpan.FromMilliseconds(50) }, null);
        await ColdRead.WarmAsync(() => cache.GetAsync("u1", CancellationToken.None).AsTask());

        store.Mode = StoreMode.Throws;
        for (int i = 0; i < 10; i++)
        {
            await Task.Delay(30);
            Assert.Equal(["A1"], (await cache.GetAsync("u1", CancellationToken.None)).AllowedSenders);
        }

        store.Mode = StoreMode.Up;
        await store.SaveAsync(new AccountSettings("u1", ["B2"], null, null), CancellationToken.None); // written by another process
        var until = DateTime.UtcNow.AddSeconds(10);
        while ((await cache.GetAsync("u1", CancellationToken.None)).AllowedSenders[0] != "B2")
        {
            Assert.True(DateTime.UtcNow < until, "the copy was never refreshed after the store came back");
            await Task.Delay(20);
        }
    }

    [Fact(Timeout = 20_000)]
    public async Task An_account_with_no_copy_is_refused_within_the_cold_wait_while_the_store_hangs()
    {
        var store = new OutageStores { Mode = StoreMode.Hangs };
        var cache = new AccountSettingsCache(store, NullLogger<AccountSettingsCache>.Instance);

        var clock = Stopwatch.StartNew();
        await Assert.ThrowsAsync<StatusStoreUnavailableException>(() => cache.GetAsync("u1", CancellationToken.None).AsTask());

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"refused after {clock.ElapsedMilliseconds} ms while the store hangs for 30 s (cold wait 500 ms)");
    }

    private sealed class GatedStore : IAccountSettingsStore
    {
        private int _reads;

        public TaskCompletionSource FirstReadStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool FailNext { get; set; }

        public int Reads => Volatile.Read(ref _reads);

        public async ValueTask<AccountSettings> GetAsync(string userId, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _reads);
            FirstReadStarted.TrySetResult();
            await Release.Task;
            if (FailNext)
            {
                FailNext = false;
                throw new StatusStoreUnavailableException("store down", new TimeoutException());
            }

            return new AccountSettings(userId, ["A1"], null, null);
        }

        public ValueTask SaveAsync(AccountSettings settings, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask<IReadOnlyList<string>> FindAccountsBySenderAsync(IReadOnlyList<string> senders, CancellationToken cancellationToken) =>
            ValueTask.FromResult<IReadOnlyList<string>>([]);
    }
}
