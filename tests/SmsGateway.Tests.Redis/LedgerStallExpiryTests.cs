using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using SmsGateway.Accept;
using SmsGateway.Billing;
using SmsGateway.Locking;
using SmsGateway.Model;
using SmsGateway.Redis;

namespace SmsGateway.Tests.Redis;

/// <summary>
/// A reserve that commits after the client's timeout (ledger node frozen with SIGSTOP, then thawed): the caller saw
/// <see cref="LedgerUnavailableException"/> / a 503 "nothing was charged", and the expiry sweep makes that true.
/// Each test starts its own three servers (it freezes the ledger).
/// </summary>
[Collection(FaultCollection.Name)]
public sealed class LedgerStallExpiryTests : IAsyncLifetime
{
    private RedisServer[] _servers = [];
    private ServiceProvider? _provider;
    private RedisOptions _options = RedisOptions.Default;

    private IBalanceLedger Ledger => _provider!.GetRequiredService<IBalanceLedger>();

    public async Task InitializeAsync()
    {
        _servers = await RedisServer.StartManyAsync(3);
        _options = RedisServersFixture.For(_servers) with { OperationTimeoutMs = 300 };
        _provider = RedisServersFixture.Provider(_options);
        await Ledger.GetBalanceAsync("warm-up", CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        foreach (var s in _servers)
        {
            s.Thaw();
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
    public async Task Reserve_that_timed_out_but_committed_is_refunded_by_the_sweep()
    {
        var user = "u" + Guid.NewGuid().ToString("N");
        await Ledger.ChargeAsync(user, 1_000, "c", CancellationToken.None);
        await Ledger.ReserveAsync(user, [new(Guid.NewGuid(), 1)], 1, CancellationToken.None); // script loaded, connection warm
        await Ledger.ConfirmAsync(user, [], CancellationToken.None);

        var unknown = Guid.NewGuid();
        _servers[0].Freeze();
        try
        {
            await Assert.ThrowsAsync<LedgerUnavailableException>(async () => await Ledger.ReserveAsync(user, [new(unknown, 250)], 2, CancellationToken.None));
        }
        finally
        {
            _servers[0].Thaw();
        }

        // The script was in the server's socket buffer: it runs after the thaw. The caller was told it failed.
        var committed = await EventuallyAsync(async () => (await Ledger.GetBalanceAsync(user, CancellationToken.None)).Reserved == 251);
        Assert.True(committed, "the timed-out reserve never committed after the thaw (the case this test needs did not happen)");

        var deadline = TimeSpan.FromMilliseconds(500);
        await Task.Delay(deadline + TimeSpan.FromMilliseconds(100));
        var sweep = await Ledger.SweepExpiredAsync(deadline, 100, CancellationToken.None);
        Assert.Equal(2, sweep.Refunded.Count); // the unknown one and the warm-up one (never confirmed either)
        Assert.Contains(sweep.Refunded, r => r.MessageId == unknown && r.Amount == 250);
        var b = await Ledger.GetBalanceAsync(user, CancellationToken.None);
        Assert.Equal((1_000L, 0L, 0L), (b.Available, b.Reserved, b.Spent));
    }

    [Fact(Timeout = 120_000)]
    public async Task Ledger_frozen_under_traffic_leaves_no_reservation_held_beyond_the_accepted_messages()
    {
        const int users = 32;
        var reservations = new ReservationOptions { ConfirmDeadline = TimeSpan.FromSeconds(2), SweepInterval = TimeSpan.FromMilliseconds(200) };
        await using var pipeline = new SmsPipelineBuilder()
            .WithOptions(new PipelineOptions { Reservations = reservations })
            .WithLedger(Ledger)
            .WithLocks(_provider!.GetRequiredService<IDistributedLockFactory>())
            .Build();
        var swept = new ConcurrentBag<Guid>();
        pipeline.StatusPublished += e => { if (e.ErrorCode == "reservation_expired") swept.Add(e.MessageId); };
        await pipeline.StartAsync(PipelineRoles.Gateway, CancellationToken.None); // no dispatcher: accepted messages stay reserved
        var prefix = "s" + Guid.NewGuid().ToString("N")[..8];
        for (var u = 0; u < users; u++)
        {
            await Ledger.ChargeAsync(prefix + u.ToString(CultureInfo.InvariantCulture), 100_000_000, "c", CancellationToken.None);
        }

        var accepted = new ConcurrentDictionary<string, long>();
        var acceptedIds = new ConcurrentDictionary<Guid, byte>();
        var ledger503 = 0;
        using var stop = new CancellationTokenSource();
        var senders = Enumerable.Range(0, users).Select(u => Task.Run(async () =>
        {
            var user = prefix + u.ToString(CultureInfo.InvariantCulture);
            while (!stop.IsCancellationRequested)
            {
                var r = await pipeline.SendAsync(new SendRequest("09121234567", "hello", "express", user), CancellationToken.None);
                if (r.Status == AcceptStatus.Queued)
                {
                    accepted.AddOrUpdate(user, r.Message!.Cost, (_, c) => c + r.Message!.Cost);
                    acceptedIds.TryAdd(r.Message.Id, 0);
                }
                else
                {
                    if (r.Detail?.Contains("ledger", StringComparison.Ordinal) == true)
                    {
                        Interlocked.Increment(ref ledger503);
                    }

                    // A refusal while a circuit is open comes back at once: pause as a client honouring Retry-After would,
                    // instead of 32 loops spinning millions of refusals and starving the machine (the test once timed out so).
                    await Task.Delay(5);
                }
            }
        })).ToArray();

        // Several short stalls, each longer than the 300 ms call limit: reserves in flight at a freeze time out (503) and
        // commit at the thaw.
        await Task.Delay(1_000);
        for (var i = 0; i < 8; i++)
        {
            _servers[0].Freeze();
            await Task.Delay(500);
            _servers[0].Thaw();
            await Task.Delay(300 + (i * 37));
        }

        await Task.Delay(500);
        await stop.CancelAsync();
        await Task.WhenAll(senders);

        // Within the deadline plus a few sweeps every user's reserved amount equals the cost of its accepted messages exactly.
        var held = 0L;
        var settled = await EventuallyAsync(async () =>
        {
            held = 0;
            for (var u = 0; u < users; u++)
            {
                var user = prefix + u.ToString(CultureInfo.InvariantCulture);
                var b = await Ledger.GetBalanceAsync(user, CancellationToken.None);
                Assert.Equal(100_000_000, b.Charged);
                held += b.Reserved - accepted.GetValueOrDefault(user);
            }

            return held == 0;
        }, TimeSpan.FromSeconds(20));
        Console.WriteLine($"ledger freeze: {accepted.Values.Sum()} accepted minor units, {ledger503} ledger 503s, {swept.Count} reservations swept");
        Assert.True(settled, $"{held} minor units still reserved for requests that were refused");
        Assert.DoesNotContain(swept, acceptedIds.ContainsKey); // a confirmed (202) reservation is never swept
        await pipeline.StopAsync(CancellationToken.None);
    }

    private static async Task<bool> EventuallyAsync(Func<Task<bool>> condition, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(10));
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if (await condition())
                {
                    return true;
                }
            }
            catch (LedgerUnavailableException)
            {
                // reconnecting after the thaw
            }

            await Task.Delay(50);
        }

        return false;
    }
}
