using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using SmsGateway.BlockLists;
using SmsGateway.Host.Accounts;
using SmsGateway.Status;
using Xunit;

namespace SmsGateway.Tests.EndToEnd.Accounts;

/// <summary>
/// The block-list check under a store that hangs or fails: a number held as blocked stays blocked, a held list answers at
/// once, and a list never read is refused quickly (README "Store outages on the accept path").
/// </summary>
public sealed class RecipientBlockCheckTests
{
    private static readonly StoreCacheOptions ShortTtl = new() { Ttl = TimeSpan.FromMilliseconds(50), RetryInterval = TimeSpan.FromMilliseconds(50) };

    [Theory(Timeout = 20_000)]
    [InlineData(StoreMode.Throws)]
    [InlineData(StoreMode.Hangs)]
    public async Task A_number_held_as_blocked_stays_blocked_and_answers_at_once_during_an_outage(StoreMode outage)
    {
        var store = new OutageStores();
        await store.AddAsync("u1", new BlockedRecipient("+989121110000", BlockedRecipient.OptOutSource, DateTimeOffset.UtcNow), CancellationToken.None);
        await store.AddAsync(IBlockListStore.Global, new BlockedRecipient("+989122220000", BlockedRecipient.AdminSource, DateTimeOffset.UtcNow), CancellationToken.None);
        var check = new RecipientBlockCheck(store, NullLogger<RecipientBlockCheck>.Instance, ShortTtl, null);
        await ColdRead.WarmAsync(() => check.FindAsync("u1", "+989123330000", CancellationToken.None).AsTask()); // both lists held
        Assert.Equal("account", await check.FindAsync("u1", "+989121110000", CancellationToken.None));

        store.Mode = outage;
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < 10; i++)
        {
            await Task.Delay(30); // past the TTL each time
            Assert.Equal("account", await check.FindAsync("u1", "+989121110000", CancellationToken.None));
            Assert.Equal("global", await check.FindAsync("u1", "+989122220000", CancellationToken.None));
            Assert.Null(await check.FindAsync("u1", "+989123330000", CancellationToken.None));
        }

        // Each list waits for its refresh at most the cold wait (500 ms) once, then is served from its copy.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"10 rounds took {clock.ElapsedMilliseconds} ms while the store {outage}");
    }

    [Fact(Timeout = 20_000)]
    public async Task A_list_never_read_is_refused_quickly_while_the_store_hangs()
    {
        var store = new OutageStores { Mode = StoreMode.Hangs };
        var check = new RecipientBlockCheck(store, NullLogger<RecipientBlockCheck>.Instance);

        var clock = Stopwatch.StartNew();
        await Assert.ThrowsAsync<StatusStoreUnavailableException>(() => check.FindAsync("u1", "+989121110000", CancellationToken.None).AsTask());

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"refused after {clock.ElapsedMilliseconds} ms while the store hangs for 30 s (cold wait 500 ms)");
    }

    [Fact(Timeout = 20_000)]
    public async Task A_change_made_elsewhere_shows_after_the_ttl_and_an_unchanged_version_does_not_reread_the_list()
    {
        var store = new OutageStores();
        var check = new RecipientBlockCheck(store, NullLogger<RecipientBlockCheck>.Instance, ShortTtl, null);
        await ColdRead.WarmAsync(() => check.FindAsync("u1", "+989123330000", CancellationToken.None).AsTask());
        Assert.Null(await check.FindAsync("u1", "+989121110000", CancellationToken.None));

        await store.AddAsync("u1", new BlockedRecipient("+989121110000", BlockedRecipient.AdminSource, DateTimeOffset.UtcNow), CancellationToken.None);
        var until = DateTime.UtcNow.AddSeconds(10);
        while (await check.FindAsync("u1", "+989121110000", CancellationToken.None) is null)
        {
            Assert.True(DateTime.UtcNow < until, "the change made through the store never showed");
            await Task.Delay(20);
        }

        // Steady state: each refresh of the two lists reads only their versions.
        await Task.Delay(100);
        await check.FindAsync("u1", "+989121110000", CancellationToken.None);
        await Task.Delay(100);
        var calls = store.Calls;
        await Task.Delay(100);
        await check.FindAsync("u1", "+989121110000", CancellationToken.None);
        await Task.Delay(100);
        Assert.Equal(1, store.Calls - calls); // the version of u1 only (its list matched, so the global one was not needed)
    }
}
