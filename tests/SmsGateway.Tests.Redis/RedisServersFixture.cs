using Microsoft.Extensions.DependencyInjection;
using SmsGateway.Redis;

namespace SmsGateway.Tests.Redis;

/// <summary>Three redis-server processes shared by the tests of one collection (tests that stop or freeze servers start their own).</summary>
public sealed class RedisServersFixture : IAsyncLifetime
{
    public RedisServer[] Servers { get; private set; } = [];

    public async Task InitializeAsync() => Servers = await RedisServer.StartManyAsync(3);

    public async Task DisposeAsync()
    {
        foreach (var s in Servers)
        {
            await s.DisposeAsync();
        }
    }

    /// <summary>Options pointing at these servers, ledger on the first one, with a test-unique key prefix.</summary>
    public RedisOptions Options(string? prefix = null) => For(Servers, prefix);

    public static RedisOptions For(IReadOnlyList<RedisServer> servers, string? prefix = null) => new()
    {
        LedgerEndpoint = servers[0].Endpoint,
        LockEndpoints = [.. servers.Select(s => s.Endpoint)],
        KeyPrefix = prefix ?? ("t" + Guid.NewGuid().ToString("N")[..8] + ":"),
        LockNodeTimeoutMs = 250,
        // Not the 500 ms default: a fresh client's first script call (SCRIPT LOAD, first JIT) exceeded 500 ms twice in CI while
        // several test classes started at once on two cores. Timeout behaviour is asserted relative to this value.
        OperationTimeoutMs = 2_000,
        ConnectTimeoutMs = 5000, // first connect of a new multiplexer on a loaded machine
    };

    public static ServiceProvider Provider(RedisOptions options)
        => new ServiceCollection().AddRedisLedger(options).BuildServiceProvider();
}
