using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using SmsGateway.Billing;
using SmsGateway.Locking;
using SmsGateway.Redis;
using SmsGateway.Testing;

namespace SmsGateway.Bench.Redis;

/// <summary>
/// Stopwatch version of <see cref="RedisReservationBenchmarks"/>' lock-per-batch mode, for a quick side-by-side run where a
/// BenchmarkDotNet build does not fit: <c>dotnet bench/bin/Release/net10.0/SmsGateway.Bench.dll redis-batch [rounds]</c>.
/// Three redis-server processes, 8 users in parallel, each round 128 messages per user in batches of 64, one Redlock grant per
/// batch; prints msg/s of every round and the median. With a third argument <c>confirm</c> each reserved batch is also confirmed
/// (<see cref="IBalanceLedger.ConfirmAsync"/>, one more script call per batch, as the accept stage does after the broker's ack).
/// </summary>
public static class QuickReservation
{
    public static async Task RunAsync(string[] args)
    {
        var rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 15;
        var confirm = args.Length > 2 && args[2] == "confirm";
        const int users = 8, perUser = 128, batch = 64;
        var servers = await RedisServer.StartManyAsync(3);
        var provider = new ServiceCollection().AddRedisLedger(new RedisOptions
        {
            LedgerEndpoint = servers[0].Endpoint,
            LockEndpoints = [.. servers.Select(s => s.Endpoint)],
            KeyPrefix = "quick:",
        }).BuildServiceProvider();
        try
        {
            var ledger = provider.GetRequiredService<IBalanceLedger>();
            var locks = provider.GetRequiredService<IDistributedLockFactory>();
            for (var u = 0; u < users; u++)
            {
                await ledger.ChargeAsync("quick-" + u.ToString(CultureInfo.InvariantCulture), 1_000_000_000_000, "setup", CancellationToken.None);
            }

            var rates = new List<double>();
            for (var r = 0; r < rounds; r++)
            {
                var sw = Stopwatch.StartNew();
                await Task.WhenAll(Enumerable.Range(0, users).Select(u => Task.Run(async () =>
                {
                    var user = "quick-" + u.ToString(CultureInfo.InvariantCulture);
                    for (var i = 0; i < perUser; i += batch)
                    {
                        await using var grant = await locks.CreateLockAsync("user:" + user, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(2), CancellationToken.None);
                        if (!grant.IsAcquired)
                        {
                            throw new InvalidOperationException($"lock not acquired: {grant.Status}");
                        }

                        var reservations = Enumerable.Range(0, batch).Select(_ => new Reservation(Guid.NewGuid(), 1)).ToArray();
                        await ledger.ReserveAsync(user, reservations, grant.FencingToken, CancellationToken.None);
                        if (confirm)
                        {
                            await ledger.ConfirmAsync(user, reservations.Select(r => r.MessageId).ToArray(), CancellationToken.None);
                        }
                    }
                })));
                rates.Add(users * perUser / sw.Elapsed.TotalSeconds);
            }

            var warm = rates.Skip(rounds / 3).Order().ToArray(); // the first third is warm-up
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"RESERVE{(confirm ? " + CONFIRM" : "")} lock per batch of {batch}, {users} users: median {warm[warm.Length / 2]:0} msg/s over {warm.Length} rounds (min {warm[0]:0}, max {warm[^1]:0})"));
        }
        finally
        {
            await provider.DisposeAsync();
            foreach (var s in servers)
            {
                await s.DisposeAsync();
            }
        }
    }
}
