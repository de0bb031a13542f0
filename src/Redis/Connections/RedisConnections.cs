using Microsoft.Extensions.Logging;

namespace SmsGateway.Redis;

/// <summary>
/// Owns the multiplexers: one per distinct endpoint (ledger, idempotency, each lock node; an endpoint used twice shares
/// one connection). Disposed by the DI container, which closes every connection.
/// </summary>
internal sealed class RedisConnections : IAsyncDisposable, IDisposable
{
    private readonly Dictionary<string, RedisNode> _nodes = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Opens (in the background) one connection per distinct endpoint of <paramref name="options"/>, which the caller
    /// (<see cref="RedisServiceCollectionExtensions.AddRedisLedger"/>) has validated.</summary>
    public RedisConnections(RedisOptions options, ILoggerFactory loggerFactory)
    {
        var logger = loggerFactory.CreateLogger("SmsGateway.Redis");
        Ledger = Node(options.LedgerEndpoint, options, logger);
        Idempotency = Node(options.IdempotencyEndpoint ?? options.LedgerEndpoint, options, logger);
        LockNodes = [.. options.LockEndpoints.Select(e => new LockNode(Node(e, options, logger), options, logger))];
        foreach (var node in _nodes.Values)
        {
            node.StartConnecting();
        }
    }

    public RedisNode Ledger { get; }

    public RedisNode Idempotency { get; }

    public IReadOnlyList<LockNode> LockNodes { get; }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes.Values)
        {
            await node.DisposeAsync().ConfigureAwait(false);
        }
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private RedisNode Node(string endpoint, RedisOptions options, ILogger logger)
    {
        if (!_nodes.TryGetValue(endpoint, out var node))
        {
            node = new RedisNode(endpoint, options, logger);
            _nodes[endpoint] = node;
        }

        return node;
    }
}
