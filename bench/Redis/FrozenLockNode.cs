using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using SmsGateway.Locking;
using SmsGateway.Redis;
using SmsGateway.Testing;

namespace SmsGateway.Bench.Redis;

/// <summary>
/// Lock grant latency with one of three lock nodes frozen by SIGSTOP (the measurement of NodeFailureTests'
/// <c>Frozen_node_never_holds_a_call_past_its_timeout</c>, with more grants and the figures printed):
/// <c>dotnet bench/bin/Release/net10.0/SmsGateway.Bench.dll frozen-lock [grants]</c>. Default options
/// (<see cref="RedisOptions.LockNodeTimeoutMs"/> 200 ms); grants of ttl 2 s, wait 2 s, retry 10 ms, one after another.
/// </summary>
public static class FrozenLockNode
{
    public static async Task RunAsync(string[] args)
    {
        var grants = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 200;
        var servers = await RedisServer.StartManyAsync(3);
        var provider = new ServiceCollection().AddRedisLedger(new RedisOptions
        {
            LedgerEndpoint = servers[0].Endpoint,
            LockEndpoints = [.. servers.Select(s => s.Endpoint)],
            KeyPrefix = "frozen:",
        }).BuildServiceProvider();
        try
        {
            var locks = provider.GetRequiredService<IDistributedLockFactory>();
            var ttl = TimeSpan.FromSeconds(2);
            var retry = TimeSpan.FromMilliseconds(10);
            for (var i = 0; i < 20; i++)
            {
                await using var warm = await locks.CreateLockAsync("user:frozen", ttl, ttl, retry, CancellationToken.None);
            }

            servers[2].Freeze();
            var ms = new double[grants];
            var failed = 0;
            var total = Stopwatch.StartNew();
            for (var i = 0; i < grants; i++)
            {
                var sw = Stopwatch.StartNew();
                await using (var grant = await locks.CreateLockAsync("user:frozen", ttl, ttl, retry, CancellationToken.None))
                {
                    ms[i] = sw.Elapsed.TotalMilliseconds;
                    failed += grant.IsAcquired ? 0 : 1;
                }
            }

            total.Stop();
            Array.Sort(ms);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"FROZEN 1 of 3 lock nodes (SIGSTOP): {grants} grants in {total.Elapsed.TotalMilliseconds:0} ms, {failed} not acquired; " +
                $"grant ms: slowest {ms[^1]:0.0}, p99 {ms[(int)(grants * 0.99)]:0.0}, p50 {ms[grants / 2]:0.0}, mean {ms.Average():0.0}"));
        }
        finally
        {
            foreach (var s in servers)
            {
                s.Thaw();
            }

            await provider.DisposeAsync();
            foreach (var s in servers)
            {
                await s.DisposeAsync();
            }
        }
    }
}
