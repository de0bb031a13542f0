using System.Threading.RateLimiting;
using System.Threading.Tasks.Dataflow;
using SmsGateway.Model;
using SmsGateway.Routing;

namespace SmsGateway.Dispatch;

/// <summary>
/// The dispatch lane of one operator: two bounded queues (express, normal) and a send block whose parallelism is the
/// operator's <see cref="OperatorInfo.MaxConcurrency"/>. A feeder hands the send block the next message whenever a slot
/// frees, always express before normal, so queued normal traffic never delays an express message by more than the sends
/// already in flight. A token bucket applies the operator's rate limit.
/// </summary>
internal sealed class OperatorLane : IAsyncDisposable
{
    private readonly BufferBlock<DispatchWork> _express;
    private readonly BufferBlock<DispatchWork> _normal;
    private readonly ActionBlock<DispatchWork> _send;
    private readonly RateLimiter? _rateLimiter;
    private readonly Task _feeder;

    public OperatorLane(OperatorInfo op, int capacity, Func<DispatchWork, OperatorInfo, Task> send)
    {
        Operator = op;
        _express = new BufferBlock<DispatchWork>(new DataflowBlockOptions { BoundedCapacity = capacity });
        _normal = new BufferBlock<DispatchWork>(new DataflowBlockOptions { BoundedCapacity = capacity });
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

        _send = new ActionBlock<DispatchWork>(
            async work =>
            {
                if (_rateLimiter is not null)
                {
                    using var lease = await _rateLimiter.AcquireAsync(1, CancellationToken.None).ConfigureAwait(false);
                }

                await send(work, Operator).ConfigureAwait(false);
            },
            new ExecutionDataflowBlockOptions { MaxDegreeOfParallelism = op.MaxConcurrency, BoundedCapacity = op.MaxConcurrency, EnsureOrdered = false });
        _feeder = Task.Run(FeedAsync);
    }

    /// <summary>The operator as it was when the lane was built (limits are per lane).</summary>
    public OperatorInfo Operator { get; }

    /// <summary>Messages waiting in this lane (both queues).</summary>
    public int Queued => _express.Count + _normal.Count;

    /// <summary>Queues <paramref name="work"/>; waits while its queue is full (backpressure to the consumer).</summary>
    public Task<bool> EnqueueAsync(DispatchWork work, CancellationToken cancellationToken) =>
        (work.Message.Type == MessageType.Express ? _express : _normal).SendAsync(work, cancellationToken);

    /// <summary>Stops taking messages, sends what is queued, and waits for the sends in flight.</summary>
    public async ValueTask DisposeAsync()
    {
        _express.Complete();
        _normal.Complete();
        await _feeder.ConfigureAwait(false);
        _send.Complete();
        await _send.Completion.ConfigureAwait(false);
        _rateLimiter?.Dispose();
    }

    private async Task FeedAsync()
    {
        while (true)
        {
            if (_express.TryReceive(out var work) || _normal.TryReceive(out work))
            {
                // Waits here while every send slot is busy; what arrives meanwhile is ordered again on the next turn.
                await _send.SendAsync(work).ConfigureAwait(false);
                continue;
            }

            bool expressOpen = !_express.Completion.IsCompleted, normalOpen = !_normal.Completion.IsCompleted;
            if (!expressOpen && !normalOpen)
            {
                return;
            }

            // A completed queue would answer at once, so wait only on the open ones.
            await (expressOpen && normalOpen ? (Task)Task.WhenAny(_express.OutputAvailableAsync(), _normal.OutputAvailableAsync())
                : expressOpen ? _express.OutputAvailableAsync() : _normal.OutputAvailableAsync()).ConfigureAwait(false);
        }
    }
}
