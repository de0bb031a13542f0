using System.Threading.Channels;

namespace SmsGateway.Billing;

/// <summary>
/// Group commit of ledger calls to a remote ledger (issue 15): dispatch's begin-send and settle, and accept's confirms. Each
/// caller hands in one item (or a group of items, <see cref="RunManyAsync"/>) and awaits its own result; one loop drains
/// the items waiting at that moment (at most <c>maxBatch</c>, a group never split) into a single batch call (<see cref="IBalanceLedger.BeginSendManyAsync"/>,
/// <see cref="IBalanceLedger.SettleManyAsync"/> or <see cref="IBalanceLedger.ConfirmManyAsync"/>),
/// completes each caller with its own result, then drains again. There is no timer: a lone item is written at once, and
/// under load the items that arrive while one call is in flight form the next call, so a batch is what the lanes' workers
/// have ready within one ledger round trip and a caller waits at most one round trip longer than a call of its own.
/// </summary>
/// <remarks>
/// <para>A failed batch call fails every item of that batch with the same exception: the caller treats it exactly as the
/// failure of its own single call (README "Durability": nak with the outage backoff; an operator answer whose capture failed
/// is kept in memory and settled on redelivery, never resent). The batch methods are idempotent per item, so items that the
/// ledger did apply before the failure are applied again harmlessly.</para>
/// <para>The queue is unbounded. Dispatch's lane workers and consumer loops each await their item before handing in
/// another; accept's confirms are bounded by the messages in flight between a broker ack and the confirm's answer. After
/// <see cref="DisposeAsync"/> items are written one by one without batching. Thread-safe.</para>
/// </remarks>
/// <typeparam name="TRequest">One item (<see cref="BeginSendRequest"/>, <see cref="SettleRequest"/>, <see cref="ConfirmRequest"/>).</typeparam>
/// <typeparam name="TResult">Its result.</typeparam>
internal sealed class LedgerBatcher<TRequest, TResult> : IAsyncDisposable
{
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Func<IReadOnlyList<TRequest>, CancellationToken, ValueTask<TResult[]>> _call;
    private readonly int _maxBatch;
    private readonly Task _loop;
    private long _items;
    private long _calls;

    /// <param name="call">The ledger's batch method; answers one result per item, same order.</param>
    /// <param name="maxBatch">Most items in one call (&gt;= 1).</param>
    public LedgerBatcher(Func<IReadOnlyList<TRequest>, CancellationToken, ValueTask<TResult[]>> call, int maxBatch)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatch, 1);
        _call = call;
        _maxBatch = maxBatch;
        _loop = Task.Run(LoopAsync);
    }

    /// <summary>Items in the calls written so far (with <see cref="Calls"/>: the mean batch size).</summary>
    public long Items => Interlocked.Read(ref _items);

    /// <summary>Batch calls written so far.</summary>
    public long Calls => Interlocked.Read(ref _calls);

    /// <summary>Writes <paramref name="request"/> with the next batch and returns its own result.</summary>
    /// <exception cref="LedgerUnavailableException">The batch call carrying the item failed (or any other exception of the ledger).</exception>
    public Task<TResult> RunAsync(TRequest request)
    {
        var completion = new TaskCompletionSource<TResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        return _queue.Writer.TryWrite(new Pending(request, completion, null)) ? completion.Task : RunAloneAsync(request);
    }

    /// <summary>
    /// Writes <paramref name="requests"/> together with the next batch and returns their results in the same order: one
    /// completion for the group, not one per item (accept's confirms of a partition batch). A group goes into one call
    /// whole, even when it alone holds more than <c>maxBatch</c> items.
    /// </summary>
    /// <exception cref="LedgerUnavailableException">The batch call carrying the group failed (or any other exception of the ledger).</exception>
    public Task<TResult[]> RunManyAsync(IReadOnlyList<TRequest> requests)
    {
        if (requests.Count == 0)
        {
            return Task.FromResult(Array.Empty<TResult>());
        }

        var group = new Group(requests);
        return _queue.Writer.TryWrite(new Pending(default!, null, group)) ? group.Completion.Task : RunAloneAsync(requests);
    }

    /// <summary>Writes what is queued, then stops batching. Idempotent.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
    }

    private async Task<TResult> RunAloneAsync(TRequest request) => (await RunAloneAsync([request]).ConfigureAwait(false))[0];

    private async Task<TResult[]> RunAloneAsync(IReadOnlyList<TRequest> requests)
    {
        var results = await _call(requests, CancellationToken.None).ConfigureAwait(false);
        return results.Length == requests.Count ? results : throw new LedgerUnavailableException($"ledger batch call answered {results.Length} results for {requests.Count} items");
    }

    private async Task LoopAsync()
    {
        var batch = new List<Pending>(Math.Min(_maxBatch, 1024));
        var requests = new List<TRequest>(batch.Capacity);
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (requests.Count < _maxBatch && reader.TryRead(out var pending))
            {
                batch.Add(pending);
                if (pending.Group is { } group)
                {
                    requests.AddRange(group.Requests);
                }
                else
                {
                    requests.Add(pending.Request);
                }
            }

            try
            {
                var results = await _call(requests, CancellationToken.None).ConfigureAwait(false);
                if (results.Length != requests.Count)
                {
                    throw new LedgerUnavailableException($"ledger batch call answered {results.Length} results for {requests.Count} items");
                }

                int next = 0;
                foreach (var pending in batch)
                {
                    if (pending.Group is { } group)
                    {
                        group.Completion.TrySetResult(results[next..(next + group.Requests.Count)]);
                        next += group.Requests.Count;
                    }
                    else
                    {
                        pending.Completion!.TrySetResult(results[next++]);
                    }
                }
            }
            catch (Exception ex)
            {
                // Not swallowed: every caller of this batch gets it and logs it as the failure of its own ledger call.
                foreach (var pending in batch)
                {
                    if (pending.Group is { } group)
                    {
                        group.Completion.TrySetException(ex);
                    }
                    else
                    {
                        pending.Completion!.TrySetException(ex);
                    }
                }
            }

            Interlocked.Increment(ref _calls);
            Interlocked.Add(ref _items, requests.Count);
            batch.Clear();
            requests.Clear();
        }
    }

    // One caller's entry: a single item with its own completion, or a group of items with one completion for all.
    private readonly record struct Pending(TRequest Request, TaskCompletionSource<TResult>? Completion, Group? Group);

    private sealed class Group(IReadOnlyList<TRequest> requests)
    {
        public IReadOnlyList<TRequest> Requests => requests;

        public TaskCompletionSource<TResult[]> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

/// <summary>When <see cref="LedgerBatcher{TRequest, TResult}"/> is used.</summary>
internal static class LedgerBatcher
{
    /// <summary>
    /// Whether group commit pays for <paramref name="ledger"/>: a batch size above 1 and a ledger that is not the in-memory
    /// one, which answers at once (there is no round trip to share; batching would only add a hop per message).
    /// </summary>
    public static bool Pays(IBalanceLedger ledger, int maxBatch) => maxBatch > 1 && !InProcess(ledger);

    /// <summary>
    /// Whether <paramref name="ledger"/> is the in-memory one (timed or not): its calls answer at once and never fail for
    /// want of a server, so there is neither a round trip to share nor an outage to retry.
    /// </summary>
    public static bool InProcess(IBalanceLedger ledger) =>
        ledger is InMemoryBalanceLedger or Diagnostics.TimedLedger { Inner: InMemoryBalanceLedger };
}
