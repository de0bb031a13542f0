using SmsGateway.Billing;
using SmsGateway.Dispatch;

namespace SmsGateway;

/// <summary>
/// Settings of the pipeline graph: queue capacities, batch sizes, lock timing, retries. Copied at construction, so later
/// edits by the caller cannot reach a running pipeline.
/// </summary>
public sealed record PipelineOptions
{
    /// <summary>
    /// Accept partitions (users are hashed onto them; each reserves one batch at a time). Default (null): 2 over a broker,
    /// 8 over the in-memory transport. Over a broker, fewer partitions make bigger batches, whose messages share broker
    /// messages, ledger calls and lock checks: on the 2-core reference machine, 2 partitions took about a tenth less host
    /// CPU per message than 8 at saturation, with the express accept p99 at 1000 req/s no worse. In memory, where a batch
    /// costs little, each partition's reserve is CPU work done one batch at a time, and 8 partitions answered embedded
    /// <c>/send</c> faster (bench/README.md "Two accept partitions over a broker").
    /// </summary>
    public int? AcceptPartitions { get; init; }

    /// <summary>The <see cref="AcceptPartitions"/> in force: the set value, else 2 over a broker and 8 in memory.</summary>
    /// <param name="inMemoryTransport">Whether the pipeline's transport is the in-memory one.</param>
    internal int AcceptPartitionsFor(bool inMemoryTransport) => AcceptPartitions ?? (inMemoryTransport ? 8 : 2);

    /// <summary>The partitions in force once <see cref="SmsPipeline"/> has set them for its transport (<see cref="AcceptPartitionsFor"/>).</summary>
    /// <exception cref="InvalidOperationException">Read before that.</exception>
    internal int ResolvedAcceptPartitions => AcceptPartitions ?? throw new InvalidOperationException("AcceptPartitions is set by SmsPipeline for its transport");

    /// <summary>Requests waiting per accept partition; beyond it <c>/send</c> answers 429 (saturated). Default 4,096. See also <see cref="AcceptQueueBudget"/>.</summary>
    public int AcceptQueueCapacity { get; init; } = 4096;

    /// <summary>Most requests reserved in one batch (one lock and one ledger round trip per user within it). Default 512.</summary>
    public int MaxReserveBatch { get; init; } = 512;

    /// <summary>Time-to-live of the per-user balance lock. Default 2 s.</summary>
    public TimeSpan LockExpiry { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How long to keep trying for a busy user lock before answering 503. Default 500 ms.</summary>
    public TimeSpan LockWait { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Pause between lock tries (jittered). Default 5 ms.</summary>
    public TimeSpan LockRetry { get; init; } = TimeSpan.FromMilliseconds(5);

    /// <summary>Messages waiting per operator and type for a send slot; a full lane hands further messages back to the broker (see LaneFullDelay). Default 1,024.</summary>
    public int LaneCapacity { get; init; } = 1024;

    /// <summary>
    /// Pause before a message that found its operator's lane full is delivered again (it is nak'ed rather than waited for,
    /// so one slow operator does not hold up the others), for a lane that does not send (stalled). A lane without a rate
    /// limit that sends gets its messages back after about the time it needs to send half of what it holds, at the rate it
    /// sent over the last 100 ms or so, from 10 ms up to this pause. A rate-limited lane pauses at least this long, and
    /// about the time its limit needs to send half of what it holds, at most half the ack wait
    /// (docs/architecture.md "Message frames"). Default 1 s.
    /// </summary>
    public TimeSpan LaneFullDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long the messages of one frame (bulk send) may wait in all for room in their full lanes before the rest is handed
    /// back. A lane whose workers are sending makes room within a fraction of a millisecond; one that makes none before
    /// this budget ends (stalled, rate-limited or slower than the consumer) gets no more waiting for the lane's full pause
    /// (docs/architecture.md "Message frames"). Zero hands back at once. Default 200 ms: at 50 ms, a saturated 2-core
    /// machine let a busy lane miss the budget often enough that a bulk backlog was decoded, nak'ed and published back
    /// tens of thousands of times per run (bench/README.md "A longer wait for room").
    /// </summary>
    public TimeSpan LaneRoomWait { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Deliveries each subscription may hold unacknowledged. Default 2,048.</summary>
    public int MaxInFlight { get; init; } = 2048;

    /// <summary>Time a delivery may stay unacknowledged before the broker delivers it again. Default 30 s.</summary>
    public TimeSpan AckWait { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Retry limit and backoff for transient operator failures.</summary>
    public RetryPolicy Retry { get; init; } = RetryPolicy.Default;

    /// <summary>Status events written per batch at most. Default 1,000.</summary>
    public int StatusBatchSize { get; init; } = 1000;

    /// <summary>Longest a status event waits for its batch to fill before the batch is written anyway. Default 50 ms.</summary>
    public TimeSpan StatusBatchMaxAge { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// How long a process that both accepts and dispatches holds a message's accept-time <c>queued</c> event before it
    /// publishes it; a later event of the message published by this process first (<c>sent</c>, <c>failed</c>, …) makes it
    /// implied and it is never published (docs/architecture.md "The queued event, implied"). A message is then known to
    /// the status store within this delay plus <see cref="StatusBatchMaxAge"/> of its accept. Zero publishes it at accept,
    /// before the answer, as a gateway-only process always does. Default (null): 250 ms over a broker; zero over the
    /// in-memory transport, where publishing the event costs less than holding it (bench/README.md "The queued event, implied").
    /// </summary>
    public TimeSpan? QueuedEventDelay { get; init; }

    /// <summary>The <see cref="QueuedEventDelay"/> in force: the set value, else 250 ms over a broker and zero in memory.</summary>
    /// <param name="inMemoryTransport">Whether the pipeline's transport is the in-memory one.</param>
    internal TimeSpan QueuedEventDelayFor(bool inMemoryTransport) =>
        QueuedEventDelay ?? (inMemoryTransport ? TimeSpan.Zero : TimeSpan.FromMilliseconds(250));

    /// <summary>Delay before a failed status batch is delivered again. Default 1 s.</summary>
    public TimeSpan StatusRetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Whether a <c>sending</c> status event is published before each attempt (one more event per attempt). Default false.</summary>
    public bool EmitSendingStatus { get; init; }

    /// <summary>Consumer group of the dispatchers on <c>sms-express</c> and <c>sms-normal</c>. Default <c>dispatchers</c>.</summary>
    public string DispatchGroup { get; init; } = "dispatchers";

    /// <summary>Consumer group of the retry consumers on <c>sms-dlq</c>. Default <c>retriers</c>.</summary>
    public string RetryGroup { get; init; } = "retriers";

    /// <summary>Consumer group of the status writers on <c>sms-status</c>. Default <c>status-writers</c>.</summary>
    public string StatusGroup { get; init; } = "status-writers";

    /// <summary>How long shutdown waits for in-flight work to finish. Default 10 s.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Longest a request may take from submit to its answer inside the accept stage (queue wait, lock, reserve, publish). Past
    /// it the request is answered 503 (<see cref="Accept.AcceptStatus.Unavailable"/>) when the call cut off was given at least
    /// half of this, else 429 (<see cref="Accept.AcceptStatus.Saturated"/>: it spent its time queued); a publish cut short here
    /// may still have been stored by the broker, so its reservation is withdrawn with the cancel script (README "Admission
    /// control and fail-fast"), and a reserve cut short is left to be confirmed or expired (README "Durability").
    /// Default 900 ms (issue 12: <c>/send</c> answers within 1 s while a dependency is unreachable). Not applied when the
    /// transport, ledger and lock are all the in-memory ones, which never wait on a network.
    /// </summary>
    public TimeSpan AcceptDeadline { get; init; } = TimeSpan.FromMilliseconds(900);

    /// <summary>
    /// Admission bound of the accept queue by time: while a partition has requests waiting and its current queueing delay (the
    /// wait of the oldest request it last took, or the age of the batch in progress) exceeds this, new requests are answered
    /// 429 (<see cref="Accept.AcceptStatus.Saturated"/>) with Retry-After instead of queueing. Zero disables it (count bound
    /// only). Default zero in the library, where a caller's in-process burst is not an overload; the HTTP host sets
    /// <see cref="DefaultHttpAcceptQueueBudget"/> unless configured (README "Admission control and fail-fast").
    /// </summary>
    public TimeSpan AcceptQueueBudget { get; init; } = TimeSpan.Zero;

    /// <summary>Failed calls in a row to one accept dependency (broker, ledger, lock quorum) after which <c>/send</c> fails fast
    /// with 503 without calling it. Default 3.</summary>
    public int CircuitFailureThreshold { get; init; } = 3;

    /// <summary>How long a dependency that failed stays open (requests answered 503 at once) before one trial request is let
    /// through (half-open). Default 1 s.</summary>
    public TimeSpan CircuitBreakDuration { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The <see cref="AcceptQueueBudget"/> the HTTP host uses when none is configured: 200 ms.</summary>
    public static TimeSpan DefaultHttpAcceptQueueBudget { get; } = TimeSpan.FromMilliseconds(200);
    /// <summary>Latest <c>send_at</c> accepted, counted from accept. Default 30 days.</summary>
    public TimeSpan MaxScheduleAhead { get; init; } = TimeSpan.FromDays(30);

    /// <summary>
    /// How far in the past a <c>send_at</c> may be (client clock skew, time on the wire) and still be accepted, as "send now".
    /// An older one is a 400 naming <c>send_at</c>. Default 60 s.
    /// </summary>
    public TimeSpan SendAtPastTolerance { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Shortest <c>validity_period</c> accepted. Default 60 s.</summary>
    public TimeSpan MinValidityPeriod { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Longest <c>validity_period</c> accepted. Default 72 h (a common SMSC maximum).</summary>
    public TimeSpan MaxValidityPeriod { get; init; } = TimeSpan.FromHours(72);

    /// <summary>
    /// How often the scheduler (gateway role) looks for due scheduled messages; each look takes the <c>scheduler</c> lock.
    /// Bounds the delay from <c>send_at</c> to publication. Default 100 ms.
    /// </summary>
    public TimeSpan SchedulerPollInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Most scheduled messages released in one store transaction. Default 500.</summary>
    public int SchedulerBatchSize { get; init; } = 500;

    /// <summary>Time-to-live of the <c>scheduler</c> lock (Redlock in the full profile) held while releasing due messages. Default 10 s.</summary>
    public TimeSpan SchedulerLockExpiry { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid setting, or <see cref="ArgumentException"/>
    /// when a consumer-group name is null or blank; returns this instance otherwise.</summary>
    public PipelineOptions Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(AcceptPartitions ?? 1, 1, nameof(AcceptPartitions));
        ArgumentOutOfRangeException.ThrowIfLessThan(AcceptQueueCapacity, 1, nameof(AcceptQueueCapacity));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxReserveBatch, 1, nameof(MaxReserveBatch));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(LockExpiry, TimeSpan.Zero, nameof(LockExpiry));
        ArgumentOutOfRangeException.ThrowIfLessThan(LockWait, TimeSpan.Zero, nameof(LockWait));
        ArgumentOutOfRangeException.ThrowIfLessThan(LaneCapacity, 1, nameof(LaneCapacity));
        ArgumentOutOfRangeException.ThrowIfLessThan(LaneFullDelay, TimeSpan.Zero, nameof(LaneFullDelay));
        ArgumentOutOfRangeException.ThrowIfLessThan(LaneRoomWait, TimeSpan.Zero, nameof(LaneRoomWait));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxInFlight, 1, nameof(MaxInFlight));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(AckWait, TimeSpan.Zero, nameof(AckWait));
        ArgumentOutOfRangeException.ThrowIfLessThan(StatusBatchSize, 1, nameof(StatusBatchSize));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(StatusBatchMaxAge, TimeSpan.Zero, nameof(StatusBatchMaxAge));
        ArgumentOutOfRangeException.ThrowIfLessThan(QueuedEventDelay ?? TimeSpan.Zero, TimeSpan.Zero, nameof(QueuedEventDelay));
        ArgumentException.ThrowIfNullOrWhiteSpace(DispatchGroup, nameof(DispatchGroup));
        ArgumentException.ThrowIfNullOrWhiteSpace(RetryGroup, nameof(RetryGroup));
        ArgumentException.ThrowIfNullOrWhiteSpace(StatusGroup, nameof(StatusGroup));
        Retry.Validate();
        ArgumentNullException.ThrowIfNull(Reservations, nameof(Reservations));
        Reservations.Validate();
        ArgumentOutOfRangeException.ThrowIfLessThan(BatchPublishWindow, 1, nameof(BatchPublishWindow));
        ArgumentOutOfRangeException.ThrowIfLessThan(MessageFrameSize, 1, nameof(MessageFrameSize));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MessageFrameSize, 1000, nameof(MessageFrameSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxConcurrentBatches, 1, nameof(MaxConcurrentBatches));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(AcceptDeadline, TimeSpan.Zero, nameof(AcceptDeadline));
        ArgumentOutOfRangeException.ThrowIfLessThan(AcceptQueueBudget, TimeSpan.Zero, nameof(AcceptQueueBudget));
        ArgumentOutOfRangeException.ThrowIfLessThan(CircuitFailureThreshold, 1, nameof(CircuitFailureThreshold));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(CircuitBreakDuration, TimeSpan.Zero, nameof(CircuitBreakDuration));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(OutageRetryMin, TimeSpan.Zero, nameof(OutageRetryMin));
        ArgumentOutOfRangeException.ThrowIfLessThan(OutageRetryMax, OutageRetryMin, nameof(OutageRetryMax));
        ArgumentOutOfRangeException.ThrowIfLessThan(SettleGrace, TimeSpan.Zero, nameof(SettleGrace));
        ArgumentOutOfRangeException.ThrowIfLessThan(ConsumerRestartMax, TimeSpan.FromMilliseconds(10), nameof(ConsumerRestartMax));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxScheduleAhead, TimeSpan.Zero, nameof(MaxScheduleAhead));
        ArgumentOutOfRangeException.ThrowIfLessThan(SendAtPastTolerance, TimeSpan.Zero, nameof(SendAtPastTolerance));
        ArgumentOutOfRangeException.ThrowIfLessThan(MinValidityPeriod, TimeSpan.FromSeconds(1), nameof(MinValidityPeriod));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxValidityPeriod, MinValidityPeriod, nameof(MaxValidityPeriod));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(SchedulerPollInterval, TimeSpan.Zero, nameof(SchedulerPollInterval));
        ArgumentOutOfRangeException.ThrowIfLessThan(SchedulerBatchSize, 1, nameof(SchedulerBatchSize));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(SchedulerLockExpiry, TimeSpan.Zero, nameof(SchedulerLockExpiry));
        ArgumentOutOfRangeException.ThrowIfLessThan(LockLeaseIdle, TimeSpan.Zero, nameof(LockLeaseIdle));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(LockLeaseMaxHold, TimeSpan.Zero, nameof(LockLeaseMaxHold));
        ArgumentOutOfRangeException.ThrowIfLessThan(LockLeaseMargin, TimeSpan.Zero, nameof(LockLeaseMargin));
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(LockLeaseMargin, LockExpiry, nameof(LockLeaseMargin));
        ArgumentOutOfRangeException.ThrowIfLessThan(StatusPublishMaxEvents, 1, nameof(StatusPublishMaxEvents));
        ArgumentOutOfRangeException.ThrowIfLessThan(StatusPublishMaxBytes, 1024, nameof(StatusPublishMaxBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(StatusPublishConcurrency, 1, nameof(StatusPublishConcurrency));
        ArgumentOutOfRangeException.ThrowIfLessThan(DispatchLedgerBatch, 1, nameof(DispatchLedgerBatch));
        return this;
    }

    /// <summary>Confirm retries and the expiry sweep of reservations whose outcome is unknown (section <c>Pipeline:Reservations</c>).</summary>
    public ReservationOptions Reservations { get; init; } = new();

    /// <summary>
    /// <c>POST /send/batch</c>: most publishes (a message or a frame of <see cref="MessageFrameSize"/> messages, with their
    /// <c>queued</c> events) of one user's batch in flight at once after its single reservation. Default 256.
    /// </summary>
    public int BatchPublishWindow { get; init; } = 256;

    /// <summary>
    /// Most messages carried by one broker message (a version-2 frame, docs/architecture.md "Message frames"): the messages
    /// of a reserved batch (a bulk request of one user, or the single requests of any users one accept partition reserved
    /// together), and the scheduled messages of one user released together, that go to the same topic are published,
    /// delivered and acked as frames of up to this many. 1 publishes every message alone (version 1). Default 100; at most 1,000 (a
    /// frame must stay under the broker's message size limit, 1 MB by default for NATS and Kafka).
    /// </summary>
    public int MessageFrameSize { get; init; } = 100;

    /// <summary>
    /// <c>POST /send/batch</c>: batches reserved and published at once in this process; one more is refused (HTTP 429,
    /// nothing charged). Default 16.
    /// </summary>
    public int MaxConcurrentBatches { get; init; } = 16;

    /// <summary>
    /// First pause before a delivery whose side effects failed on an infrastructure outage (ledger, status store, broker)
    /// is delivered again; it doubles with each delivery of the message up to <see cref="OutageRetryMax"/>, with ±20 %
    /// jitter. Such a nak never counts as a send attempt of the message (README "Durability"). Default 1 s.
    /// </summary>
    public TimeSpan OutageRetryMin { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest pause of <see cref="OutageRetryMin"/>'s growing backoff. Default 30 s.</summary>
    public TimeSpan OutageRetryMax { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long after an operator send's timeout its delivery may still be settling (receipt registration, the capture or
    /// refund call). A second copy of a message whose attempt started less than the operator's send timeout plus this grace
    /// ago (<see cref="Billing.BeginSendResult.StartedAgo"/>) is not sent: it is nak'ed until then, and by then the first
    /// copy has settled (the copy is acked without a send) or its dispatcher is gone (the copy is sent: README
    /// "Durability"). Default 5 s, ten times the Redis ledger's call timeout.
    /// </summary>
    public TimeSpan SettleGrace { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Longest pause before a consumer loop that ended on a fault (its deliveries channel faulted, or the loop threw) is
    /// subscribed again; the pause starts at 100 ms and doubles per consecutive fault. Default 30 s.
    /// </summary>
    public TimeSpan ConsumerRestartMax { get; init; } = TimeSpan.FromSeconds(30);

    // lease: the user lock lease kept across accept micro-batches (issue 15; docs/architecture.md "User lock lease").

    /// <summary>
    /// How long a user's lock grant is kept after the user's last accept batch, so the next batch reuses it (same fencing
    /// token) instead of a new Redlock round; after this idle time the lease is released for other gateway processes.
    /// Zero turns leasing off (one grant per batch). Default 200 ms.
    /// </summary>
    public TimeSpan LockLeaseIdle { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// Longest a lease is kept while the user's traffic flows: the batch that ends after this hold releases the grant, and
    /// the next batch acquires a new one (a new fencing token). A gateway process that wants the same user meanwhile waits
    /// for the release: at most this hold plus the idle sweep's period (a quarter of the smaller of this and
    /// <see cref="LockLeaseIdle"/>) plus one batch, so keep it well below <see cref="LockWait"/> (500 ms). Default 250 ms.
    /// </summary>
    public TimeSpan LockLeaseMaxHold { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// Validity a kept grant must still have to be reused for one more batch (room for one reserve call); with less it is
    /// released and a new grant is acquired. Below <see cref="LockExpiry"/>; below half of it keeps a Redlock grant that
    /// RedLock.net extends every ttl/2 reusable between extensions. Default 500 ms.
    /// </summary>
    public TimeSpan LockLeaseMargin { get; init; } = TimeSpan.FromMilliseconds(500);

    // statusb (issue 15): status events coalesced into one sms-status message (docs/architecture.md, "Status events on the wire").

    /// <summary>
    /// Most status events carried by one <c>sms-status</c> message (wire format version 2 when it carries two or more). 1 turns
    /// coalescing off: every event is its own version-1 message, as before version 2 existed; set it while any status
    /// writer older than version 2 still consumes (rolling upgrade: upgrade the reporters first). Default 256.
    /// </summary>
    public int StatusPublishMaxEvents { get; init; } = 256;

    /// <summary>Most payload bytes of one coalesced <c>sms-status</c> message (an event larger than this goes alone). Default 65,536.</summary>
    public int StatusPublishMaxBytes { get; init; } = 64 * 1024;

    /// <summary>
    /// Coalesced <c>sms-status</c> publishes in flight at once in this process. While they all wait for their broker acks, new
    /// events gather into the next message. Default 1 (group commit: the fewest messages).
    /// </summary>
    public int StatusPublishConcurrency { get; init; } = 1;
    // dispatchb (issue 15): the dispatch stage's ledger calls batched per lane batch.

    /// <summary>
    /// Most begin-sends, or most captures and refunds, the dispatch stage writes to a remote ledger in one call
    /// (<see cref="IBalanceLedger.BeginSendManyAsync"/>, <see cref="IBalanceLedger.SettleManyAsync"/>): the items the lanes'
    /// workers have ready while the previous call is in flight, without waiting for more. 1 calls the ledger once per
    /// message; an in-process ledger is always called once per message. Default 256 (bench/README.md "Cost model": the
    /// ledger's script calls per message 3.7 → 2.0, and the crash suite green with it).
    /// </summary>
    public int DispatchLedgerBatch { get; init; } = 256;
}

/// <summary>Which parts of the graph a process runs (DESIGN.md "Profiles", roles).</summary>
[Flags]
public enum PipelineRoles
{
    /// <summary>Nothing.</summary>
    None = 0,

    /// <summary>Accept: validate, reserve, publish (<c>/send</c>, <c>/charge</c>, <c>/balance</c>).</summary>
    Gateway = 1,

    /// <summary>Dispatch express and normal messages to operators and retry from <c>sms-dlq</c>.</summary>
    Dispatcher = 2,

    /// <summary>Write status events in batches and answer reports.</summary>
    Reporter = 4,

    /// <summary>All of the above in one process.</summary>
    All = Gateway | Dispatcher | Reporter,
}
