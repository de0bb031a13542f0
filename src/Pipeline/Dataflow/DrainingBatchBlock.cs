using System.Threading.Tasks.Dataflow;

namespace SmsGateway.Dataflow;

/// <summary>
/// A bounded target block that hands everything waiting, up to <c>maxBatch</c> items, to one asynchronous handler call at
/// a time. A batch never waits to fill: an idle block hands a lone item on at once, and under load the batches grow with
/// the handler's latency (group commit). The library's <see cref="BatchBlock{T}"/> cannot do this: it emits only full
/// batches or on <see cref="BatchBlock{T}.TriggerBatch"/>. Used by the accept partitions (docs/architecture.md "The
/// Dataflow graph").
/// </summary>
/// <typeparam name="T">The item type.</typeparam>
/// <remarks>
/// Thread-safe: any thread may offer. The handler runs on one thread-pool thread at a time and owns the list it is given.
/// The handler should not throw; a throw is passed to <c>onError</c> with the batch, and the block goes on.
/// <see cref="Completion"/> completes after <see cref="Complete"/> once every queued item was handed on and every handler
/// call returned.
/// </remarks>
internal sealed class DrainingBatchBlock<T> : ITargetBlock<T>
{
    private readonly BufferBlock<T> _queue;
    private readonly Func<List<T>, Task> _handler;
    private readonly Action<List<T>, Exception> _onError;
    private readonly int _maxBatch;
    private readonly Task _completion;

    /// <param name="handler">Processes one batch (1..<paramref name="maxBatch"/> items, in arrival order).</param>
    /// <param name="onError">Answers the items of a batch whose handler threw (must not throw).</param>
    /// <param name="maxBatch">Most items per handler call.</param>
    /// <param name="capacity">Most items waiting; an offer beyond it is declined (<c>Post</c> returns false).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxBatch"/> or <paramref name="capacity"/> is below 1.</exception>
    public DrainingBatchBlock(Func<List<T>, Task> handler, Action<List<T>, Exception> onError, int maxBatch, int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatch, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _handler = handler ?? throw new ArgumentNullException(nameof(handler));
        _onError = onError ?? throw new ArgumentNullException(nameof(onError));
        _maxBatch = maxBatch;
        _queue = new BufferBlock<T>(new DataflowBlockOptions { BoundedCapacity = capacity });
        _completion = Task.Run(RunAsync);
    }

    /// <summary>Items waiting (not yet handed to the handler).</summary>
    public int Count => _queue.Count;

    /// <inheritdoc />
    public Task Completion => _completion;

    /// <inheritdoc />
    public DataflowMessageStatus OfferMessage(DataflowMessageHeader messageHeader, T messageValue, ISourceBlock<T>? source, bool consumeToAccept) =>
        ((ITargetBlock<T>)_queue).OfferMessage(messageHeader, messageValue, source, consumeToAccept);

    /// <inheritdoc />
    public void Complete() => _queue.Complete();

    /// <inheritdoc />
    public void Fault(Exception exception) => ((IDataflowBlock)_queue).Fault(exception);

    private async Task RunAsync()
    {
        while (await _queue.OutputAvailableAsync().ConfigureAwait(false))
        {
            var batch = new List<T>(Math.Min(_maxBatch, Math.Max(1, _queue.Count)));
            while (batch.Count < _maxBatch && _queue.TryReceive(out var item))
            {
                batch.Add(item);
            }

            if (batch.Count == 0)
            {
                continue;
            }

            try
            {
                await _handler(batch).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                _onError(batch, ex);
            }
        }
    }
}
