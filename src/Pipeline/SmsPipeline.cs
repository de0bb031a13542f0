using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using SmsGateway.Accept;
using SmsGateway.Billing;
using SmsGateway.Diagnostics;
using SmsGateway.Dispatch;
using SmsGateway.Locking;
using SmsGateway.Model;
using SmsGateway.Receipts;
using SmsGateway.Routing;
using SmsGateway.Scheduling;
using SmsGateway.Status;
using SmsGateway.Transport;
using SmsGateway.Transport.InMemory;
using SmsGateway.Validation;

namespace SmsGateway;

/// <summary>
/// The SMS pipeline: one graph from accept to final status over a pluggable transport (DESIGN.md "The flow"). Its
/// Dataflow blocks are built in one place, <see cref="PipelineGraph"/>, in flow order (docs/architecture.md "The
/// Dataflow graph"); this class starts and stops the stages of the roles a process runs.
/// Build it with <see cref="SmsPipelineBuilder"/> or <c>services.AddSmsPipeline()</c>, start the roles this process runs,
/// and call <see cref="SendAsync"/> for each request.
/// </summary>
/// <remarks>
/// Thread-safe: <see cref="SendAsync"/> may be called concurrently from any number of threads. <see cref="StatusPublished"/>
/// handlers run on pipeline threads and must not block.
/// </remarks>
public sealed partial class SmsPipeline : IAsyncDisposable
{
    private readonly PipelineOptions _options;
    private readonly OperatorTableSource _routes;
    private readonly IMessageTransport _transport;
    private readonly IBalanceLedger _ledger;
    private readonly IDistributedLockFactory _locks;
    private readonly IOperatorClient _operators;
    private readonly IStatusStore _store;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly StatusPublisher _status;
    private readonly SemaphoreSlim _lifecycle = new(1, 1);
    private AcceptStage? _accept;
    private ImpliedQueuedEvents? _implied;
    private DispatchStage? _dispatch;
    private StatusStage? _statusStage;
    private ReceiptStage? _receiptStage;
    private ReservationSweeper? _sweeper;
    private readonly IScheduleStore _schedule;
    private SchedulerStage? _scheduler;

    /// <summary>
    /// Creates a stopped pipeline over the given parts. Prefer <see cref="SmsPipelineBuilder"/>. The receipt correlator
    /// (shared with the operator clients that report receipts) is a new one when null; the schedule store (messages with a
    /// future <c>send_at</c>) an <see cref="InMemoryScheduleStore"/> when null.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    /// <exception cref="ArgumentException">A consumer-group name is null or blank.</exception>
    public SmsPipeline(PipelineOptions options, OperatorTableSource routes, IMessageTransport transport, IBalanceLedger ledger,
        IDistributedLockFactory locks, IOperatorClient operators, IStatusStore store, PipelineMetrics metrics,
        ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null, ReceiptCorrelator? receipts = null, IScheduleStore? schedule = null)
    {
        _schedule = schedule ?? new InMemoryScheduleStore();
        _options = (options ?? throw new ArgumentNullException(nameof(options))).Validate() with
        {
            AcceptPartitions = options.AcceptPartitionsFor(transport is InMemoryTransport),
        };
        _routes = routes ?? throw new ArgumentNullException(nameof(routes));
        Metrics = metrics ?? throw new ArgumentNullException(nameof(metrics));

        // Call latencies of the ledger, lock and broker (docs: README "Metrics"); the decorators cost a flag check when unobserved.
        _transport = new TimedTransport(transport ?? throw new ArgumentNullException(nameof(transport)), Metrics);
        _ledger = new TimedLedger(ledger ?? throw new ArgumentNullException(nameof(ledger)), Metrics);
        _locks = new TimedLockFactory(locks ?? throw new ArgumentNullException(nameof(locks)), Metrics);
        _operators = operators ?? throw new ArgumentNullException(nameof(operators));
        _store = store ?? throw new ArgumentNullException(nameof(store));
        _time = timeProvider ?? TimeProvider.System;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("SmsGateway.Pipeline");
        Receipts = receipts ?? new ReceiptCorrelator(null, _time);
        _status = new StatusPublisher(_transport, Metrics, _time, _logger, _options, handOverDecoded: transport is InMemoryTransport);
        _status.Published += e => StatusPublisher.Notify(StatusPublished, e, Metrics, _logger);
        if (transport is InMemoryTransport && ledger is InMemoryBalanceLedger && locks is InMemoryLockFactory)
        {
            // Nothing here waits on a network: the accept deadline would only turn a CPU-starved moment into a 503.
            _options = _options with { AcceptDeadline = TimeSpan.MaxValue };
        }

        Circuits = new DependencyCircuits(_options, _time, _logger);
        _inMemory = transport as InMemoryTransport;
    }

    /// <summary>Raised in this process after each status event it published (accept, dispatch and retry roles).</summary>
    /// <remarks>
    /// Raised once per event after the broker acked it, before the publishing caller continues, on the thread-pool thread of
    /// the status publish loop (of the caller when <see cref="PipelineOptions.StatusPublishMaxEvents"/> is 1): a slow handler
    /// delays the status events published after it. An exception a handler throws is logged and counted, never passed on
    /// (docs/architecture.md "Status events on the wire").
    /// </remarks>
    public event Action<StatusEvent>? StatusPublished;

    /// <summary>The roles started, <see cref="PipelineRoles.None"/> when stopped.</summary>
    public PipelineRoles Roles { get; private set; }

    /// <summary>The pipeline's instruments.</summary>
    public PipelineMetrics Metrics { get; }

    /// <summary>Matches delivery receipts to sent messages; operator clients report receipts to it.</summary>
    public ReceiptCorrelator Receipts { get; }

    /// <summary>The routing table in force.</summary>
    public OperatorTable Routes => _routes.Current;

    /// <summary>Starts the parts of the graph for <paramref name="roles"/>.</summary>
    /// <exception cref="InvalidOperationException">Already started.</exception>
    /// <exception cref="TransportException">A subscription could not be created.</exception>
    public async Task StartAsync(PipelineRoles roles, CancellationToken cancellationToken)
    {
        await _lifecycle.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (Roles != PipelineRoles.None)
            {
                throw new InvalidOperationException("the pipeline is already started");
            }

            if (roles.HasFlag(PipelineRoles.Reporter))
            {
                _statusStage = new StatusStage(_options, _transport, _store, Metrics, _logger);
                await _statusStage.StartAsync(cancellationToken).ConfigureAwait(false);
            }

            if (roles.HasFlag(PipelineRoles.Dispatcher))
            {
                _dispatch = new DispatchStage(_options, _transport, _ledger, _operators, _routes, _status, Receipts, Metrics, _time, _logger);
                await _dispatch.StartAsync(cancellationToken).ConfigureAwait(false);
                _receiptStage = new ReceiptStage(Receipts, _status, _logger);
                _receiptStage.Start();
            }

            if (roles.HasFlag(PipelineRoles.Gateway))
            {
                // Only a process that also dispatches sees the later events that make a held queued event implied.
                var queuedDelay = _options.QueuedEventDelayFor(_inMemory is not null);
                _implied = roles.HasFlag(PipelineRoles.Dispatcher) && queuedDelay > TimeSpan.Zero
                    ? new ImpliedQueuedEvents(_status, queuedDelay, _time)
                    : null;
                _accept = new AcceptStage(_options, _transport, _ledger, _locks, _status, Metrics, _time, _logger, Circuits, _schedule, _implied,
                    handOverDecoded: _inMemory is not null);
                _sweeper = new ReservationSweeper(_ledger, _status, Metrics, _options.Reservations, _time, _logger);
                _sweeper.Start();
                _scheduler = new SchedulerStage(_options, _schedule, _locks, _transport, _status, _time, _logger);
                _scheduler.Start();
            }

            Roles = roles;
            PipelineLog.Started(_logger, roles);
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>
    /// Validates, prices, reserves and queues one message. Completes once the broker stored it (or it was refused).
    /// </summary>
    /// <param name="request">The client's request; any field may be missing.</param>
    /// <param name="cancellationToken">Cancels waiting for the answer only; a request already handed to the graph still completes.</param>
    /// <returns>The outcome; never throws for bad input.</returns>
    /// <exception cref="InvalidOperationException">The gateway role is not started.</exception>
    public Task<AcceptResult> SendAsync(SendRequest request, CancellationToken cancellationToken) =>
        PipelineTelemetry.Source.HasListeners() ? SendTracedAsync(request, cancellationToken) : SendUntracedAsync(request, cancellationToken);

    // The accept span is current only inside this method, so it parents reserve and publish (through the accept work item)
    // and never leaks into the caller's code after the await.
    private async Task<AcceptResult> SendTracedAsync(SendRequest request, CancellationToken cancellationToken)
    {
        using var activity = PipelineTelemetry.Start("accept", ActivityKind.Internal);
        var result = await SendUntracedAsync(request, cancellationToken).ConfigureAwait(false);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("sms.accept.status", result.Status.ToString());
            if (result.Message is { } message)
            {
                activity.SetTag("sms.message_id", message.Id.ToString());
                activity.SetTag("sms.type", message.Type.ToWireName());
                activity.SetTag("sms.operator", message.Operator);
                activity.SetTag("sms.segments", message.Segments);
            }

            if (result.Status != AcceptStatus.Queued)
            {
                PipelineTelemetry.Fail(activity, result.Status.ToString());
            }
        }

        return result;
    }

    private Task<AcceptResult> SendUntracedAsync(SendRequest request, CancellationToken cancellationToken)
    {
        long start = Stopwatch.GetTimestamp();
        var accept = _accept ?? throw new InvalidOperationException("the gateway role is not started");
        var errors = SendValidator.Validate(request, _routes.Current, _time.GetUtcNow(), _options, out var message, out var sendAt);
        if (errors.Count > 0)
        {
            Metrics.Refused("invalid");
            return Task.FromResult(AcceptResult.Invalid(errors));
        }

        var task = accept.SubmitAsync(message!, start, sendAt);
        return cancellationToken.CanBeCanceled ? task.WaitAsync(cancellationToken) : task;
    }

    /// <summary>
    /// Validates, prices, reserves and queues a batch (<c>POST /send/batch</c>, README "Bulk send"): each item on its own,
    /// every valid item stamped with <paramref name="batchId"/>; per user one lock grant and one fenced reservation call,
    /// publishes frames of up to <see cref="PipelineOptions.MessageFrameSize"/> messages in windows of <see cref="PipelineOptions.BatchPublishWindow"/>.
    /// </summary>
    /// <param name="requests">The items, 1..any (the host caps a batch at 1,000); any field may be missing.</param>
    /// <param name="batchId">The batch id carried by every accepted message and its status events.</param>
    /// <param name="cancellationToken">Cancels waiting only; items already handed to the graph still complete.</param>
    /// <returns>One result per item, in order; never throws for bad input.</returns>
    /// <exception cref="InvalidOperationException">The gateway role is not started.</exception>
    public async Task<AcceptResult[]> SendBatchAsync(IReadOnlyList<SendRequest> requests, Guid batchId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(requests);
        long start = Stopwatch.GetTimestamp();
        var accept = _accept ?? throw new InvalidOperationException("the gateway role is not started");
        using var activity = PipelineTelemetry.Source.HasListeners() ? PipelineTelemetry.Start("accept batch", ActivityKind.Internal) : null;
        activity?.SetTag("sms.batch_id", batchId.ToString());
        var results = new AcceptResult[requests.Count];
        var valid = new List<SmsMessage>(requests.Count);
        var positions = new List<int>(requests.Count);
        var now = _time.GetUtcNow();
        for (int i = 0; i < requests.Count; i++)
        {
            var errors = SendValidator.Validate(requests[i], _routes.Current, now, _options, out var message, out var sendAt);
            if (errors.Count == 0 && sendAt is not null)
            {
                // Batches are published at once; a scheduled item would be sent early, so it is refused rather than ignored.
                errors = new Dictionary<string, string[]>(StringComparer.Ordinal)
                {
                    ["send_at"] = ["send_at is not supported in POST /send/batch; schedule messages with POST /send"],
                };
            }

            if (errors.Count > 0)
            {
                Metrics.Refused("invalid");
                results[i] = AcceptResult.Invalid(errors);
                continue;
            }

            valid.Add(message! with { BatchId = batchId });
            positions.Add(i);
        }

        if (valid.Count > 0)
        {
            var task = accept.SubmitManyAsync(valid, start);
            var accepted = await (cancellationToken.CanBeCanceled ? task.WaitAsync(cancellationToken) : task).ConfigureAwait(false);
            for (int k = 0; k < accepted.Length; k++)
            {
                results[positions[k]] = accepted[k];
            }
        }

        return results;
    }

    /// <summary>
    /// Stops gracefully: stop accepting and answer every queued request, send what the dispatch lanes hold, write the last
    /// status batch. Waits at most <see cref="PipelineOptions.ShutdownTimeout"/>.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _lifecycle.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (Roles == PipelineRoles.None)
            {
                return;
            }

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_options.ShutdownTimeout);
            var stop = StopStagesAsync(Stopwatch.GetTimestamp());
            try
            {
                await stop.WaitAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested)
            {
                // Not an error to crash the host with: what is still in flight was never acked, so a durable broker
                // delivers it again; the in-memory transport loses it with the process, and says how much.
                if (_inMemory is null)
                {
                    PipelineLog.ShutdownTimedOut(_logger, _options.ShutdownTimeout.TotalMilliseconds);
                }
                else
                {
                    var pending = PendingInMemory();
                    AcceptLog.DrainIncomplete(_logger, _failedAtStop + pending, _failedAtStop, pending);
                }
            }

            Roles = PipelineRoles.None;
            PipelineLog.Stopped(_logger);
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // shutdown timeout: what was in flight is redelivered by a durable broker
        }

        _lifecycle.Dispose();
    }

    private async Task StopStagesAsync(long stopStarted)
    {
        if (_scheduler is not null)
        {
            await _scheduler.StopAsync().ConfigureAwait(false);
            _scheduler = null;
        }

        if (_accept is not null)
        {
            await _accept.CompleteAsync().ConfigureAwait(false);
            _accept = null;
        }

        await DrainInMemoryAsync(stopStarted).ConfigureAwait(false);

        if (_sweeper is not null)
        {
            await _sweeper.StopAsync().ConfigureAwait(false);
            _sweeper = null;
        }

        if (_dispatch is not null)
        {
            await _dispatch.StopAsync().ConfigureAwait(false);
            _dispatch = null;
        }

        await FailUnsentAsync().ConfigureAwait(false);
        if (_implied is not null)
        {
            await _implied.DisposeAsync().ConfigureAwait(false); // publishes what the stop left held, before the reporter's last batch
            _implied = null;
        }

        if (_receiptStage is not null)
        {
            await _receiptStage.StopAsync().ConfigureAwait(false);
            _receiptStage = null;
        }

        if (_statusStage is not null)
        {
            await _statusStage.StopAsync().ConfigureAwait(false);
            _statusStage = null;
        }
    }
}
