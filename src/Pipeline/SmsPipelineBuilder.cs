using Microsoft.Extensions.Logging;
using SmsGateway.Billing;
using SmsGateway.Dispatch;
using SmsGateway.Locking;
using SmsGateway.Receipts;
using SmsGateway.Routing;
using SmsGateway.Scheduling;
using SmsGateway.Status;
using SmsGateway.Transport;
using SmsGateway.Transport.InMemory;

namespace SmsGateway;

/// <summary>
/// Builds an <see cref="SmsPipeline"/> for library users. Every part defaults to its in-memory implementation and the
/// built-in operator table, so <c>new SmsPipelineBuilder().Build()</c> needs no server.
/// </summary>
/// <example>
/// <code>
/// await using var pipeline = new SmsPipelineBuilder().WithOperatorSimulator(new() { Latency = TimeSpan.FromMilliseconds(5) }).Build();
/// await pipeline.StartAsync(PipelineRoles.All, ct);
/// var result = await pipeline.SendAsync(new SendRequest("09121234567", "hello", "express", "123"), ct);
/// </code>
/// </example>
public sealed class SmsPipelineBuilder
{
    private PipelineOptions _options = new();
    private OperatorTableSource? _routes;
    private IMessageTransport? _transport;
    private IBalanceLedger? _ledger;
    private IDistributedLockFactory? _locks;
    private IOperatorClient? _operators;
    private OperatorSimulatorOptions? _simulator;
    private ReceiptCorrelator? _receipts;
    private readonly List<IOperatorConnectionFactory> _factories = [];
    private IStatusStore? _store;
    private ILoggerFactory? _loggerFactory;
    private TimeProvider? _time;
    private IScheduleStore? _schedule;

    /// <summary>Graph settings.</summary>
    public SmsPipelineBuilder WithOptions(PipelineOptions options)
    {
        _options = options;
        return this;
    }

    /// <summary>A fixed routing table.</summary>
    public SmsPipelineBuilder WithOperatorTable(OperatorTable table)
    {
        _routes = new OperatorTableSource(table);
        return this;
    }

    /// <summary>A routing table source (for example one that watches a file).</summary>
    public SmsPipelineBuilder WithOperatorTable(OperatorTableSource source)
    {
        _routes = source;
        return this;
    }

    /// <summary>The broker (default: a new <see cref="InMemoryTransport"/>).</summary>
    public SmsPipelineBuilder WithTransport(IMessageTransport transport)
    {
        _transport = transport;
        return this;
    }

    /// <summary>The balance ledger (default: <see cref="InMemoryBalanceLedger"/>).</summary>
    public SmsPipelineBuilder WithLedger(IBalanceLedger ledger)
    {
        _ledger = ledger;
        return this;
    }

    /// <summary>The user-lock factory (default: <see cref="InMemoryLockFactory"/>).</summary>
    public SmsPipelineBuilder WithLocks(IDistributedLockFactory locks)
    {
        _locks = locks;
        return this;
    }

    /// <summary>
    /// One client for every operator, whatever <c>operator.json</c> says (default: an <see cref="OperatorClientRouter"/>
    /// over an instant, always-successful <see cref="OperatorSimulator"/> and the factories added).
    /// </summary>
    public SmsPipelineBuilder WithOperatorClient(IOperatorClient client)
    {
        _operators = client;
        _simulator = null;
        return this;
    }

    /// <summary>Uses a new <see cref="OperatorSimulator"/> with <paramref name="options"/>, reporting its receipts (if enabled) to the pipeline's correlator.</summary>
    public SmsPipelineBuilder WithOperatorSimulator(OperatorSimulatorOptions options)
    {
        _simulator = options.Validate();
        _operators = null;
        return this;
    }

    /// <summary>Adds the factory of one <c>connection.type</c> of <c>operator.json</c> (used unless <see cref="WithOperatorClient"/> gives a single client).</summary>
    public SmsPipelineBuilder WithOperatorConnectionFactory(IOperatorConnectionFactory factory)
    {
        _factories.Add(factory);
        return this;
    }

    /// <summary>The delivery-receipt correlator (default: a new <see cref="ReceiptCorrelator"/>); give the same one to operator clients that report receipts.</summary>
    public SmsPipelineBuilder WithReceiptCorrelator(ReceiptCorrelator receipts)
    {
        _receipts = receipts;
        return this;
    }

    /// <summary>The status store (default: <see cref="InMemoryStatusStore"/>).</summary>
    public SmsPipelineBuilder WithStatusStore(IStatusStore store)
    {
        _store = store;
        return this;
    }

    /// <summary>Logging (default: none).</summary>
    public SmsPipelineBuilder WithLoggerFactory(ILoggerFactory loggerFactory)
    {
        _loggerFactory = loggerFactory;
        return this;
    }

    /// <summary>The clock (default: <see cref="TimeProvider.System"/>).</summary>
    public SmsPipelineBuilder WithTimeProvider(TimeProvider timeProvider)
    {
        _time = timeProvider;
        return this;
    }

    /// <summary>The store of messages with a future <c>send_at</c> (default: <see cref="InMemoryScheduleStore"/>).</summary>
    public SmsPipelineBuilder WithScheduleStore(IScheduleStore store)
    {
        _schedule = store;
        return this;
    }

    /// <summary>Creates the (stopped) pipeline.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    /// <exception cref="ArgumentException">A consumer-group name is null or blank.</exception>
    /// <exception cref="OperatorTableException">An operator's <c>connection</c> has no factory or invalid settings.</exception>
    public SmsPipeline Build()
    {
        var receipts = _receipts ?? new ReceiptCorrelator(null, _time);
        var routes = _routes ?? new OperatorTableSource(OperatorTable.Default);
        return new(
            _options,
            routes,
            _transport ?? new InMemoryTransport(),
            _ledger ?? new InMemoryBalanceLedger(),
            _locks ?? new InMemoryLockFactory(_time),
            _operators ?? new OperatorClientRouter(routes, _factories, new OperatorSimulator(_simulator, receipts)),
            _store ?? new InMemoryStatusStore(),
            new PipelineMetrics(),
            _loggerFactory,
            _time,
            receipts,
            _schedule);
    }
}
