using System.Diagnostics;
using System.Threading.Channels;
using System.Threading.RateLimiting;
using System.Threading.Tasks.Dataflow;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using SmsGateway.Model;
using SmsGateway.Routing;

namespace SmsGateway.Dispatch;

/// <summary>
/// One operator's dispatch lane, a Dataflow target block (built by <see cref="PipelineGraph.Lane"/>): an express queue and
/// a normal queue served by up to <c>max_concurrency</c> send workers, express first, under the operator's rate limit.
/// <see cref="Update"/> applies a reloaded <c>operator.json</c> entry (concurrency and rate) to the running lane.
/// </summary>
/// <remarks>
/// <para>A counting semaphore holds one permit per queued message: a worker that obtains a permit is certain to find a
/// message in one of the queues. It then waits for its rate token and only then picks the message, express first, so
/// under a rate limit an express message is the next one sent rather than one queued behind the normal messages the
/// workers would otherwise already hold (issue 14, item 7). A worker whose permit finds both queues empty has been told to
/// stop; it passes a permit on to the next worker, so stopping sends every queued message first.</para>
/// <para>The rate limit is a token bucket that adds <c>k</c> tokens every <c>k / rate</c> seconds (<c>k</c> = 1 below
/// 50/s), holding at most <c>k</c>: over any window of <c>t</c> seconds at most <c>rate × t + k</c> sends start. A busy
/// machine makes the timer late, never early, so the limit errs on the slow side.</para>
/// <para><see cref="TryEnqueue"/> never waits: a full queue is the caller's signal to hand the message back to the broker,
/// so one stalled operator cannot stop the consumer that feeds every other lane (a frame's messages may first wait a
/// bounded time for room, <see cref="WaitForRoomAsync"/>). Under a rate limit a queue holds at most
/// what the limit lets through in <c>maxHold</c>, so a queued message is sent before the broker's ack wait runs out.</para>
/// Thread-safe.
/// </remarks>
internal sealed class OperatorLane : ITargetBlock<DispatchWork>, IAsyncDisposable
{
    private readonly Channel<DispatchWork> _express = Channel.CreateUnbounded<DispatchWork>(new UnboundedChannelOptions { SingleReader = false, SingleWriter = false });
    private readonly Channel<DispatchWork> _normal = Channel.CreateUnbounded<DispatchWork>(new UnboundedChannelOptions { SingleReader = false, SingleWriter = false });
    private readonly SemaphoreSlim _queued = new(0);
    private readonly Func<DispatchWork, OperatorInfo, SendTimeout, ValueTask> _send;
    private readonly ILogger _logger;
    private readonly int _capacity;
    private readonly TimeSpan _maxHold;
    private readonly Lock _gate = new();
    private readonly List<Task> _workers = [];
    private readonly Lazy<Task> _stopped;
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile OperatorInfo _operator;
    private volatile RateLimiter? _rateLimiter;
    private volatile int _limit;
    private int _running;
    private bool _stopping;
    private TaskCompletionSource? _roomWaiter;
    private long _noRoomUntil;

    // The measured send rate (SendRate): messages taken by the workers, and the window they are counted in.
    private static readonly long RateWindowTicks = Stopwatch.Frequency / 10; // RateWindow
    private readonly Lock _rateGate = new();
    private long _taken;
    private long _rateMark = Stopwatch.GetTimestamp();
    private long _rateMarkTaken;
    private double? _sendRate;
    private long _lastProgress; // the last take, or the last message queued into an empty lane

    /// <param name="op">The operator; its concurrency is the number of workers, its rate limit the token bucket's.</param>
    /// <param name="capacity">Messages each queue (express, normal) holds at most.</param>
    /// <param name="send">Sends and settles one message. Should not throw; a throw leaves the message unsettled (the broker delivers it again after the ack wait) and the worker goes on.</param>
    /// <param name="maxHold">Under a rate limit, a queue holds at most what the limit sends in this time (the broker's ack wait, halved, is a good value). Null: no such bound.</param>
    /// <param name="logger">Where a throw of <paramref name="send"/> is logged (event 7063). Null: nowhere.</param>
    public OperatorLane(OperatorInfo op, int capacity, Func<DispatchWork, OperatorInfo, SendTimeout, ValueTask> send, TimeSpan? maxHold = null, ILogger? logger = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _operator = op;
        _capacity = capacity;
        _maxHold = maxHold ?? TimeSpan.Zero;
        _send = send;
        _logger = logger ?? NullLogger.Instance;
        _stopped = new Lazy<Task>(StopAsync);
        Update(op);
    }

    /// <summary>The operator as last applied (limits are per lane).</summary>
    public OperatorInfo Operator => _operator;

    /// <summary>Messages waiting in this lane (both queues).</summary>
    public int Queued => _express.Reader.Count + _normal.Reader.Count;

    /// <summary>Most messages one queue takes now (the capacity, lowered under a rate limit by <c>maxHold</c>).</summary>
    public int Limit => _limit;

    /// <summary>How long one measurement of <see cref="SendRate"/> lasts: 100 ms.</summary>
    public static TimeSpan RateWindow { get; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Messages per second the workers took out of this lane to send, over the last measuring window
    /// (<see cref="RateWindow"/>). 0 when the lane made no progress in the last two windows (200 ms): no worker took a
    /// message, and none was queued into the empty lane, so it is stalled or has nothing to send. Null while there is no
    /// measurement yet: before the lane's first window, and after the first message taken at the end of a quiet spell
    /// until a window has passed (a window that spans the spell would measure the quiet time, not the lane).
    /// </summary>
    /// <remarks>Thread-safe; workers count each message they take, and end a window under a lock at most every 100 ms.</remarks>
    public double? SendRate
    {
        get
        {
            if (Stopwatch.GetTimestamp() - Volatile.Read(ref _lastProgress) >= 2 * RateWindowTicks)
            {
                return 0;
            }

            lock (_rateGate)
            {
                return _sendRate;
            }
        }
    }

    /// <summary>
    /// Applies a reloaded entry of the same operator: starts workers at once when the concurrency grew; when it shrank, the
    /// extra workers leave after their current send. A changed rate limit replaces the token bucket; workers waiting on the
    /// old one move to the new one. Ignored once the lane is stopping.
    /// </summary>
    public void Update(OperatorInfo op)
    {
        RateLimiter? replaced = null;
        lock (_gate)
        {
            if (_stopping)
            {
                return;
            }

            var previous = _operator;
            _operator = op;
            if (_rateLimiter is null ? op.RateLimitPerSecond > 0 : previous.RateLimitPerSecond != op.RateLimitPerSecond)
            {
                replaced = _rateLimiter;
                _rateLimiter = CreateRateLimiter(op.RateLimitPerSecond);
            }

            _limit = op.RateLimitPerSecond > 0 && _maxHold > TimeSpan.Zero
                ? (int)Math.Clamp(op.RateLimitPerSecond * _maxHold.TotalSeconds, 1, _capacity)
                : _capacity;
            _workers.RemoveAll(t => t.IsCompleted);
            while (_running < Math.Max(1, op.MaxConcurrency))
            {
                _running++;
                _workers.Add(Task.Run(WorkAsync));
            }
        }

        replaced?.Dispose(); // completes the old bucket's waiters with failed leases; they retry on the new bucket
    }

    /// <summary>Queues <paramref name="work"/> unless its queue (express or normal) is full or the lane is stopping.</summary>
    /// <returns>False when the message was not queued: the caller gives it back to the broker.</returns>
    public bool TryEnqueue(DispatchWork work)
    {
        var queue = work.Message.Type == MessageType.Express ? _express : _normal;
        bool empty = Queued == 0;
        if (queue.Reader.Count >= _limit || !queue.Writer.TryWrite(work))
        {
            return false;
        }

        if (empty)
        {
            Volatile.Write(ref _lastProgress, Stopwatch.GetTimestamp()); // an empty lane is not a stalled one: SendRate's quiet time starts here
        }

        _queued.Release();
        return true;
    }

    /// <summary>
    /// Waits until a worker takes a message out of this lane, at most <paramref name="wait"/>. A wait that runs out means the
    /// lane does not drain fast enough for the caller (operator stalled, slowed by its rate limit, or just slower): every
    /// call then answers false at once for <paramref name="noRoomPause"/>, so callers hand messages back without waiting.
    /// </summary>
    /// <param name="type">The queue (express or normal) the caller wants room in.</param>
    /// <param name="wait">Longest wait: what is left of the caller's budget (a frame's <c>LaneRoomWait</c>).</param>
    /// <param name="noRoomPause">How long to answer false at once after a wait ran out.</param>
    /// <param name="cancellationToken">Ends the wait (answers false).</param>
    /// <returns>True when the queue has room now or a message was taken out meanwhile (the caller offers again; another
    /// caller may have taken the room); false when the wait ran out, was cancelled, or the lane is stopping.</returns>
    /// <remarks>Thread-safe; allocates one completion per wake-up, shared by every waiter of the lane.</remarks>
    public async ValueTask<bool> WaitForRoomAsync(MessageType type, TimeSpan wait, TimeSpan noRoomPause, CancellationToken cancellationToken)
    {
        if (_stopping || Environment.TickCount64 < Volatile.Read(ref _noRoomUntil))
        {
            return false;
        }

        var waiter = Volatile.Read(ref _roomWaiter);
        if (waiter is null)
        {
            var fresh = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            waiter = Interlocked.CompareExchange(ref _roomWaiter, fresh, null) ?? fresh;
        }

        // Checked after the waiter is published: a message taken out before that is seen here, one after it wakes the waiter.
        if ((type == MessageType.Express ? _express : _normal).Reader.Count < _limit)
        {
            return true;
        }

        try
        {
            await waiter.Task.WaitAsync(wait, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            Volatile.Write(ref _noRoomUntil, Environment.TickCount64 + (long)noRoomPause.TotalMilliseconds);
            return false;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>
    /// Offers one message (<c>lane.Post(work)</c>): accepted when queued, declined when its queue is full or the lane is
    /// stopping. Only direct offers are taken: an offer that must be consumed from a linked source is declined, because a
    /// consumed message that then finds its queue full would be lost.
    /// </summary>
    public DataflowMessageStatus OfferMessage(DataflowMessageHeader messageHeader, DispatchWork messageValue, ISourceBlock<DispatchWork>? source, bool consumeToAccept) =>
        !consumeToAccept && TryEnqueue(messageValue) ? DataflowMessageStatus.Accepted : DataflowMessageStatus.Declined;

    /// <summary>Stops taking messages; the queued ones are sent. <see cref="Completion"/> completes after the last send.</summary>
    public void Complete() => _ = _stopped.Value;

    /// <summary>As <see cref="Complete"/>: a lane has no fault of its own to keep (each send settles or is redelivered).</summary>
    public void Fault(Exception exception) => Complete();

    /// <summary>Completes once the lane stopped and its workers returned.</summary>
    public Task Completion => _completion.Task;

    /// <summary>
    /// Takes every queued message out of the lane without sending it (a graceful stop out of time). The workers then find
    /// the queues empty and leave after their current send, so call it only once nothing enqueues any more, before
    /// <see cref="DisposeAsync"/>.
    /// </summary>
    /// <returns>The messages taken; the caller gives their deliveries back.</returns>
    public List<DispatchWork> TakeQueued()
    {
        var taken = new List<DispatchWork>(Queued);
        while (_express.Reader.TryRead(out var work) || _normal.Reader.TryRead(out work))
        {
            taken.Add(work);
        }

        return taken;
    }

    /// <summary>Stops taking messages, sends what is queued, and waits for the sends in flight. Idempotent.</summary>
    public ValueTask DisposeAsync() => new(_stopped.Value);

    // The token bucket for rate/s: k tokens every k/rate s (period rounded up), k growing past 50/s so that the timer
    // period stays at 20 ms or more; the bucket holds k, which bounds the burst after an idle spell.
    internal static TokenBucketRateLimiter? CreateRateLimiter(int ratePerSecond)
    {
        if (ratePerSecond <= 0)
        {
            return null;
        }

        int perPeriod = (ratePerSecond + 49) / 50;
        long ticks = ((TimeSpan.TicksPerSecond * perPeriod) + ratePerSecond - 1) / ratePerSecond;
        return new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = perPeriod,
            TokensPerPeriod = perPeriod,
            ReplenishmentPeriod = TimeSpan.FromTicks(ticks),
            QueueLimit = int.MaxValue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            AutoReplenishment = true,
        });
    }

    private async Task StopAsync()
    {
        Task[] workers;
        lock (_gate)
        {
            _stopping = true;
            _express.Writer.TryComplete();
            _normal.Writer.TryComplete();
            workers = [.. _workers];
        }

        _queued.Release(); // the first stop permit; each worker that finds the queues empty passes one on
        await Task.WhenAll(workers).ConfigureAwait(false);
        _rateLimiter?.Dispose();
        _completion.TrySetResult();

        // _queued is not disposed: it holds no wait handle, and a late Release must not throw.
    }

    private async Task WorkAsync()
    {
        using var timeout = new SendTimeout();
        while (!TryRetire())
        {
            await _queued.WaitAsync().ConfigureAwait(false);
            if (TryRetire())
            {
                _queued.Release(); // the permit belongs to a message another worker will send
                return;
            }

            await AcquireRateTokenAsync().ConfigureAwait(false);
            if (!_express.Reader.TryRead(out var work) && !_normal.Reader.TryRead(out work))
            {
                _queued.Release(); // a stop permit: both queues are drained; wake the next worker
                return;
            }

            CountTaken();
            if (Volatile.Read(ref _roomWaiter) is not null)
            {
                Interlocked.Exchange(ref _roomWaiter, null)?.TrySetResult(); // room for one more: wake the consumers waiting for it
            }

            var op = _operator;
            try
            {
                await _send(work, op, timeout).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                // Keep the worker: the unsettled delivery comes back after the broker's ack wait.
                PipelineLog.SendThrew(_logger, ex, work.Message.Id, work.Message.Attempt, op.Name);
                timeout.Reset();
            }
        }
    }

    // Counts a message taken to send, and ends the measuring window of SendRate once it is RateWindow old. A window that
    // lasted two or more (a quiet spell) gives no measurement.
    private void CountTaken()
    {
        long taken = Interlocked.Increment(ref _taken);
        long now = Stopwatch.GetTimestamp();
        Volatile.Write(ref _lastProgress, now);
        if (now - Volatile.Read(ref _rateMark) < RateWindowTicks)
        {
            return;
        }

        lock (_rateGate)
        {
            long elapsed = now - _rateMark;
            if (elapsed >= RateWindowTicks)
            {
                _sendRate = elapsed < 2 * RateWindowTicks ? (taken - _rateMarkTaken) * (double)Stopwatch.Frequency / elapsed : null;
                _rateMarkTaken = taken;
                Volatile.Write(ref _rateMark, now);
            }
        }
    }

    // A worker leaves when the lane has more workers than the operator's concurrency (after a reload lowered it).
    private bool TryRetire()
    {
        if (Volatile.Read(ref _running) <= Math.Max(1, _operator.MaxConcurrency))
        {
            return false;
        }

        lock (_gate)
        {
            if (_running <= Math.Max(1, _operator.MaxConcurrency))
            {
                return false;
            }

            _running--;
            return true;
        }
    }

    private async ValueTask AcquireRateTokenAsync()
    {
        while (_rateLimiter is { } limiter)
        {
            try
            {
                using var lease = await limiter.AcquireAsync(1, CancellationToken.None).ConfigureAwait(false);
                if (lease.IsAcquired)
                {
                    return;
                }
            }
            catch (ObjectDisposedException)
            {
                // replaced by a reload between reading the field and waiting on it
            }

            if (ReferenceEquals(limiter, _rateLimiter))
            {
                await Task.Delay(10).ConfigureAwait(false); // not replaced (stopping): do not spin
            }
        }
    }
}
