using System.Threading.Channels;
using System.Threading.RateLimiting;
using SmsGateway.Model;
using SmsGateway.Routing;

namespace SmsGateway.Dispatch;

/// <summary>
/// The dispatch lane of one operator: two bounded queues (express, normal) and <see cref="OperatorInfo.MaxConcurrency"/>
/// workers that take the next message straight from the queues, always express before normal, so queued normal traffic
/// never delays an express message by more than the sends already in flight. A token bucket applies the operator's rate
/// limit.
/// </summary>
/// <remarks>
/// A counting semaphore holds one permit per queued message: a worker that obtains a permit is certain to find a message
/// in one of the queues, and it looks in the express queue first whichever queue the permit came from. This replaced a
/// feeder task handing messages to an <c>ActionBlock</c> one by one (a Dataflow offer/consume handshake and a task per
/// message), which profiles of the embedded graph showed as its largest dispatch cost. Stopping adds one extra permit per
/// worker; a worker whose permit finds both queues empty has been told to stop, so every queued message is sent first.
/// </remarks>
internal sealed class OperatorLane : IAsyncDisposable
{
    private readonly Channel<DispatchWork> _express;
    private readonly Channel<DispatchWork> _normal;
    private readonly SemaphoreSlim _queued = new(0);
    private readonly Func<DispatchWork, OperatorInfo, SendTimeout, ValueTask> _send;
    private readonly RateLimiter? _rateLimiter;
    private readonly Task[] _workers;
    private readonly Lazy<Task> _stopped;

    /// <param name="op">The operator; its concurrency is the number of workers.</param>
    /// <param name="capacity">Messages each queue (express, normal) holds at most.</param>
    /// <param name="send">Sends and settles one message. Should not throw; a throw leaves the message unsettled (the broker delivers it again after the ack wait) and the worker goes on.</param>
    public OperatorLane(OperatorInfo op, int capacity, Func<DispatchWork, OperatorInfo, SendTimeout, ValueTask> send)
    {
        Operator = op;
        _send = send;
        _stopped = new Lazy<Task>(StopAsync);
        var queue = new BoundedChannelOptions(capacity) { FullMode = BoundedChannelFullMode.Wait, SingleReader = false, SingleWriter = false };
        _express = Channel.CreateBounded<DispatchWork>(queue);
        _normal = Channel.CreateBounded<DispatchWork>(queue);
        if (op.RateLimitPerSecond > 0)
        {
            _rateLimiter = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
            {
                TokenLimit = Math.Max(1, op.RateLimitPerSecond / 10),
                TokensPerPeriod = Math.Max(1, op.RateLimitPerSecond / 10),
                ReplenishmentPeriod = TimeSpan.FromMilliseconds(100),
                QueueLimit = int.MaxValue,
                QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
                AutoReplenishment = true,
            });
        }

        _workers = new Task[Math.Max(1, op.MaxConcurrency)];
        for (int i = 0; i < _workers.Length; i++)
        {
            _workers[i] = Task.Run(WorkAsync);
        }
    }

    /// <summary>The operator as it was when the lane was built (limits are per lane).</summary>
    public OperatorInfo Operator { get; }

    /// <summary>Messages waiting in this lane (both queues).</summary>
    public int Queued => _express.Reader.Count + _normal.Reader.Count;

    /// <summary>
    /// Queues <paramref name="work"/>; waits while its queue is full (backpressure to the consumer). False when the lane
    /// is stopping.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled while waiting.</exception>
    public ValueTask<bool> EnqueueAsync(DispatchWork work, CancellationToken cancellationToken)
    {
        var writer = (work.Message.Type == MessageType.Express ? _express : _normal).Writer;
        if (writer.TryWrite(work))
        {
            _queued.Release();
            return new ValueTask<bool>(true);
        }

        return WaitAndEnqueueAsync(writer, work, cancellationToken);
    }

    /// <summary>Stops taking messages, sends what is queued, and waits for the sends in flight. Idempotent.</summary>
    public ValueTask DisposeAsync() => new(_stopped.Value);

    private async Task StopAsync()
    {
        _express.Writer.TryComplete();
        _normal.Writer.TryComplete();
        _queued.Release(_workers.Length);
        await Task.WhenAll(_workers).ConfigureAwait(false);
        _rateLimiter?.Dispose();

        // _queued is not disposed: it holds no wait handle, and a late Release must not throw.
    }

    private async ValueTask<bool> WaitAndEnqueueAsync(ChannelWriter<DispatchWork> writer, DispatchWork work, CancellationToken cancellationToken)
    {
        while (await writer.WaitToWriteAsync(cancellationToken).ConfigureAwait(false))
        {
            if (writer.TryWrite(work))
            {
                _queued.Release();
                return true;
            }
        }

        return false;
    }

    private async Task WorkAsync()
    {
        using var timeout = new SendTimeout();
        while (true)
        {
            await _queued.WaitAsync().ConfigureAwait(false);
            if (!_express.Reader.TryRead(out var work) && !_normal.Reader.TryRead(out work))
            {
                return; // a stop permit: both queues are drained
            }

            if (_rateLimiter is not null)
            {
                using var lease = await _rateLimiter.AcquireAsync(1, CancellationToken.None).ConfigureAwait(false);
            }

            try
            {
                await _send(work, Operator, timeout).ConfigureAwait(false);
            }
            catch (Exception)
            {
                // Keep the worker: the unsettled delivery comes back after the broker's ack wait.
                timeout.Reset();
            }
        }
    }
}
