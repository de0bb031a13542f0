using System.Collections.Frozen;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using SmsGateway.Model;
using SmsGateway.Routing;

namespace SmsGateway.Dispatch;

/// <summary>
/// The dispatcher's <see cref="IOperatorClient"/>: sends each message through the client of its operator's
/// <c>connection</c> in <c>operator.json</c> — the shared <see cref="OperatorSimulator"/> for <c>simulator</c>, otherwise
/// a client made by the <see cref="IOperatorConnectionFactory"/> registered for the type. When a reload changes an
/// operator's connection, a new client takes the new sends and the old one is disposed once its sends in flight end.
/// </summary>
/// <remarks>Thread-safe. The clients in use are an immutable snapshot swapped on reload; sends never take a lock.</remarks>
public sealed partial class OperatorClientRouter : IOperatorClient, IAsyncDisposable
{
    private readonly OperatorTableSource _routes;
    private readonly FrozenDictionary<string, IOperatorConnectionFactory> _factories;
    private readonly OperatorSimulator _simulator;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly List<Task> _retiring = [];
    private volatile FrozenDictionary<string, ClientLease> _clients;
    private bool _disposed;

    /// <summary>Validates the current table's connections and creates their clients.</summary>
    /// <param name="routes">The routing table source; its reloads are followed.</param>
    /// <param name="factories">Factories of the non-simulator connection types.</param>
    /// <param name="simulator">The client of <c>simulator</c> connections (not disposed by the router).</param>
    /// <param name="logger">Logs client replacement.</param>
    /// <exception cref="OperatorTableException">An operator's <c>connection</c> is invalid; the message names the key.</exception>
    public OperatorClientRouter(OperatorTableSource routes, IEnumerable<IOperatorConnectionFactory> factories, OperatorSimulator simulator,
        ILogger<OperatorClientRouter>? logger = null)
    {
        _routes = routes;
        _simulator = simulator;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _factories = factories.ToFrozenDictionary(f => f.Type.ToLowerInvariant(), StringComparer.Ordinal);
        Validate(routes.Current);
        _clients = Build(routes.Current, FrozenDictionary<string, ClientLease>.Empty, out _);
        routes.Validating += Validate;
        routes.Reloaded += Apply;
    }

    /// <summary>The connection types this router accepts: <c>simulator</c> and the registered factories' types.</summary>
    public IEnumerable<string> Types => _factories.Keys.Prepend(OperatorConnection.SimulatorType);

    /// <inheritdoc />
    public ValueTask<SendResult> SendAsync(SmsMessage message, CancellationToken cancellationToken)
    {
        var lease = _clients.GetValueOrDefault(message.Operator);
        if (lease is null)
        {
            return ValueTask.FromResult(new SendResult(SendOutcome.PermanentFailure, "no_route"));
        }

        return lease.Owned ? SendLeasedAsync(message, cancellationToken) : lease.Client.SendAsync(message, cancellationToken);
    }

    /// <summary>Checks every operator's connection type and settings.</summary>
    /// <exception cref="OperatorTableException">Unknown type or invalid settings; the message names the key.</exception>
    public void Validate(OperatorTable table)
    {
        foreach (var op in table.Operators)
        {
            var c = op.Connection;
            if (c.Type == OperatorConnection.SimulatorType)
            {
                continue;
            }

            if (!_factories.TryGetValue(c.Type, out var factory))
            {
                throw new OperatorTableException($"operator.json: operators[{op.Name}].connection.type '{c.Type}' is not one of: {string.Join(", ", Types)}");
            }

            try
            {
                factory.Validate(op.Name, c.Settings);
            }
            catch (ArgumentException ex)
            {
                throw new OperatorTableException($"operator.json: {ex.Message}", ex);
            }
        }
    }

    /// <summary>Disposes the clients it created, after their sends in flight.</summary>
    public async ValueTask DisposeAsync()
    {
        FrozenDictionary<string, ClientLease> clients;
        Task[] retiring;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _routes.Validating -= Validate;
            _routes.Reloaded -= Apply;
            clients = _clients;
            _clients = FrozenDictionary<string, ClientLease>.Empty;
            retiring = [.. _retiring];
        }

        await Task.WhenAll(clients.Values.Where(c => c.Owned).Select(c => RetireAsync(c)).Concat(retiring)).ConfigureAwait(false);
    }

    private async ValueTask<SendResult> SendLeasedAsync(SmsMessage message, CancellationToken cancellationToken)
    {
        while (true)
        {
            var lease = _clients.GetValueOrDefault(message.Operator);
            if (lease is null)
            {
                return new SendResult(SendOutcome.PermanentFailure, "no_route");
            }

            if (!lease.TryEnter())
            {
                continue; // replaced just now: the snapshot already holds its successor
            }

            try
            {
                return await lease.Client.SendAsync(message, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                lease.Exit();
            }
        }
    }

    private void Apply(OperatorTable table)
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _clients = Build(table, _clients, out var replaced);
            _retiring.RemoveAll(t => t.IsCompleted);
            foreach (var old in replaced)
            {
                _retiring.Add(RetireAsync(old));
            }
        }
    }

    // Keeps the lease of every operator whose connection did not change; creates the others.
    private FrozenDictionary<string, ClientLease> Build(OperatorTable table, FrozenDictionary<string, ClientLease> current, out List<ClientLease> replaced)
    {
        var next = new Dictionary<string, ClientLease>(StringComparer.OrdinalIgnoreCase);
        foreach (var op in table.Operators)
        {
            if (current.TryGetValue(op.Name, out var kept) && kept.Connection.Equals(op.Connection))
            {
                next[op.Name] = kept;
                continue;
            }

            next[op.Name] = op.Connection.Type == OperatorConnection.SimulatorType
                ? new ClientLease(_simulator, op.Connection, owned: false)
                : new ClientLease(_factories[op.Connection.Type].Create(op.Name, op.Connection.Settings), op.Connection, owned: true);
            if (current.ContainsKey(op.Name))
            {
                LogReplaced(_logger, op.Name, op.Connection.Type);
            }
        }

        replaced = [.. current.Where(kv => !next.TryGetValue(kv.Key, out var lease) || !ReferenceEquals(lease, kv.Value)).Select(kv => kv.Value).Where(l => l.Owned)];
        return next.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
    }

    private async Task RetireAsync(ClientLease lease)
    {
        await lease.RetireAsync().ConfigureAwait(false);
        if (lease.Client is IAsyncDisposable disposable)
        {
            try
            {
                await disposable.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                LogDisposeFailed(_logger, ex);
            }
        }
    }

    [LoggerMessage(EventId = 2501, Level = LogLevel.Information, Message = "Operator {Operator}: connection changed; new {Type} client, the old one closes after its sends in flight")]
    private static partial void LogReplaced(ILogger logger, string @operator, string type);

    [LoggerMessage(EventId = 2502, Level = LogLevel.Warning, Message = "Closing a replaced operator client failed")]
    private static partial void LogDisposeFailed(ILogger logger, Exception exception);
}
