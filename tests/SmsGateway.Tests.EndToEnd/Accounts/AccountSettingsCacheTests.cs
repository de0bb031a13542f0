using Microsoft.Extensions.Logging.Abstractions;
using SmsGateway.Accounts;
using SmsGateway.Host.Accounts;
using SmsGateway.Status;
using Xunit;

namespace SmsGateway.Tests.EndToEnd.Accounts;

public sealed class AccountSettingsCacheTests
{
    [Fact]
    public async Task Concurrent_misses_for_one_account_share_one_store_read()
    {
        var store = new GatedStore();
        using var cache = new AccountSettingsCache(store, NullLogger<AccountSettingsCache>.Instance);

        var waiters = Enumerable.Range(0, 50).Select(_ => cache.GetAsync("u1", CancellationToken.None).AsTask()).ToArray();
        await store.FirstReadStarted.Task.WaitAsync(TimeSpan.FromSeconds(10));
        store.Release.SetResult();
        var results = await Task.WhenAll(waiters);

        Assert.Equal(1, store.Reads);
        Assert.All(results, s => Assert.Equal(["A1"], s.AllowedSenders));
    }

    [Fact]
    public async Task A_failed_shared_read_is_not_kept_and_the_next_miss_reads_again()
    {
        var store = new GatedStore { FailNext = true };
        store.Release.SetResult();
        using var cache = new AccountSettingsCache(store, NullLogger<AccountSettingsCache>.Instance);

        await Assert.ThrowsAsync<StatusStoreUnavailableException>(() => cache.GetAsync("u1", CancellationToken.None).AsTask());
        var settings = await cache.GetAsync("u1", CancellationToken.None);

        Assert.Equal(2, store.Reads);
        Assert.Equal(["A1"], settings.AllowedSenders);
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
