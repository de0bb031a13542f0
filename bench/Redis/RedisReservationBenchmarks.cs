using System.Diagnostics;
using System.Globalization;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using SmsGateway.Billing;
using SmsGateway.Locking;
using SmsGateway.Redis;
using SmsGateway.Testing;

namespace SmsGateway.Bench.Redis;

/// <summary>
/// Reservation throughput against three real redis-server processes started in <see cref="GlobalSetup"/>:
/// (a) a Redlock grant per message, (b) one grant per user batch, (c) the reserve script alone (baseline), and the
/// ceiling <c>redis-benchmark</c> measures for the same script on the same server in the same run (printed at setup as
/// <c>CEILING ...</c> lines and written to <c>redis-ceiling.txt</c>). One operation = one message; msg/s = 1e9 / ns.
/// </summary>
[MemoryDiagnoser]
public class RedisReservationBenchmarks
{
    private const int Users = 8;
    private const int MessagesPerUser = 128;
    private const int Messages = Users * MessagesPerUser;
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Retry = TimeSpan.FromMilliseconds(2);

    private readonly List<ServerProcess> _servers = [];
    private int[] _ports = [];
    private ServiceProvider? _provider;
    private IBalanceLedger _ledger = null!;
    private IDistributedLockFactory _locks = null!;
    private long _scriptToken;

    /// <summary>Messages per lock grant in (b) and per script call in (c).</summary>
    [Params(64)]
    public int BatchSize { get; set; }

    [GlobalSetup]
    public async Task GlobalSetup()
    {
        var exe = ServerProcess.Require("redis-server", "redis-server");
        _ports = [FreePort.Next(), FreePort.Next(), FreePort.Next()];
        foreach (var port in _ports)
        {
            var server = ServerProcess.Start(exe, ["--port", port.ToString(CultureInfo.InvariantCulture), "--save", "", "--appendonly", "no", "--bind", "127.0.0.1"]);
            _servers.Add(server);
            await server.WaitForPortAsync(port, TimeSpan.FromSeconds(10));
        }

        var options = new RedisOptions
        {
            LedgerEndpoint = Endpoint(_ports[0]),
            LockEndpoints = [.. _ports.Select(Endpoint)],
            KeyPrefix = "bench:",
        };
        _provider = new ServiceCollection().AddRedisLedger(options).BuildServiceProvider();
        _ledger = _provider.GetRequiredService<IBalanceLedger>();
        _locks = _provider.GetRequiredService<IDistributedLockFactory>();
        foreach (var mode in new[] { "msg", "batch", "script", "ceiling" })
        {
            for (var u = 0; u < Users; u++)
            {
                await _ledger.ChargeAsync(User(mode, u), 1_000_000_000_000, "setup", CancellationToken.None);
            }
        }

        await MeasureCeilingAsync(options.KeyPrefix);
    }

    [GlobalCleanup]
    public async Task GlobalCleanup()
    {
        if (_provider is not null)
        {
            await _provider.DisposeAsync();
        }

        foreach (var s in _servers)
        {
            await s.DisposeAsync();
        }
    }

    /// <summary>(a) lock → reserve one message → release, per message; 8 users in parallel.</summary>
    [Benchmark(OperationsPerInvoke = Messages)]
    public Task LockPerMessage() => ForEachUserAsync(async user =>
    {
        for (var i = 0; i < MessagesPerUser; i++)
        {
            await using var grant = await _locks.CreateLockAsync("user:" + user, Ttl, Wait, Retry, CancellationToken.None);
            Check(grant);
            await _ledger.ReserveAsync(user, [new Reservation(Guid.NewGuid(), 1)], grant.FencingToken, CancellationToken.None);
        }
    }, "msg");

    /// <summary>(b) lock → reserve a batch of <see cref="BatchSize"/> → release; 8 users in parallel.</summary>
    [Benchmark(OperationsPerInvoke = Messages)]
    public Task LockPerBatch() => ForEachUserAsync(async user =>
    {
        for (var i = 0; i < MessagesPerUser; i += BatchSize)
        {
            await using var grant = await _locks.CreateLockAsync("user:" + user, Ttl, Wait, Retry, CancellationToken.None);
            Check(grant);
            await _ledger.ReserveAsync(user, Batch(), grant.FencingToken, CancellationToken.None);
        }
    }, "batch");

    /// <summary>(c) the reserve script alone, batches of <see cref="BatchSize"/>, no lock; 8 users in parallel.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Messages)]
    public Task ScriptOnly() => ForEachUserAsync(async user =>
    {
        for (var i = 0; i < MessagesPerUser; i += BatchSize)
        {
            await _ledger.ReserveAsync(user, Batch(), Interlocked.Increment(ref _scriptToken), CancellationToken.None);
        }
    }, "script");

    private static string Endpoint(int port) => "127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture);

    private static string User(string mode, int u) => "bench-" + mode + "-" + u.ToString(CultureInfo.InvariantCulture);

    private static void Check(IDistributedLock grant)
    {
        if (!grant.IsAcquired)
        {
            throw new InvalidOperationException($"lock {grant.Resource} not acquired: {grant.Status}");
        }
    }

    private static Task ForEachUserAsync(Func<string, Task> work, string mode)
        => Task.WhenAll(Enumerable.Range(0, Users).Select(u => Task.Run(() => work(User(mode, u)))));

    private Reservation[] Batch()
    {
        var batch = new Reservation[BatchSize];
        for (var i = 0; i < batch.Length; i++)
        {
            batch[i] = new Reservation(Guid.NewGuid(), 1);
        }

        return batch;
    }

    /// <summary>Runs redis-benchmark with EVALSHA of the same reserve script, batch of 1 and of <see cref="BatchSize"/>.</summary>
    private async Task MeasureCeilingAsync(string prefix)
    {
        var bench = ServerProcess.Require("redis-benchmark", "redis-tools");
        var cli = ServerProcess.Require("redis-cli", "redis-tools");
        var port = _ports[0].ToString(CultureInfo.InvariantCulture);
        var script = LuaScripts.LedgerReserve.Text;
        var sha = (await RunAsync(cli, ["-p", port, "SCRIPT", "LOAD", script])).Trim();
        var lines = new List<string>();
        foreach (var batch in new[] { 1, BatchSize })
        {
            var userKey = prefix + "ledger:{" + User("ceiling", 0) + "}";
            List<string> args = ["-p", port, "-n", "20000", "-c", Users.ToString(CultureInfo.InvariantCulture), "-P", "16", "-r", "1000000000", "-q",
                "EVALSHA", sha, (batch + 1).ToString(CultureInfo.InvariantCulture), userKey];
            args.AddRange(Enumerable.Range(0, batch).Select(i => userKey + ":r:" + i.ToString(CultureInfo.InvariantCulture) + "-__rand_int__"));
            args.Add("1");
            args.AddRange(Enumerable.Repeat("1", batch));
            var output = await RunAsync(bench, args);
            var rps = ParseRequestsPerSecond(output);
            var line = $"CEILING redis-benchmark EVALSHA reserve batch={batch} -c {Users} -P 16: {rps:0} calls/s = {rps * batch:0} msg/s";
            Console.WriteLine(line);
            lines.Add(line);
        }

        await File.WriteAllLinesAsync(Path.Combine(AppContext.BaseDirectory, "redis-ceiling.txt"), lines);
    }

    private static double ParseRequestsPerSecond(string output)
    {
        // "-q" prints e.g. "EVALSHA ...: 41322.31 requests per second, p50=0.183 msec"
        var marker = output.LastIndexOf(" requests per second", StringComparison.Ordinal);
        if (marker < 0)
        {
            throw new InvalidOperationException("unexpected redis-benchmark output: " + output);
        }

        var start = output.LastIndexOf(' ', marker - 1) + 1;
        return double.Parse(output.AsSpan(start, marker - start), CultureInfo.InvariantCulture);
    }

    private static async Task<string> RunAsync(string exe, IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (await stdout) + (await stderr);
    }
}
