using System.Diagnostics;
using SmsGateway.Billing;
using SmsGateway.Diagnostics;
using SmsGateway.Model;
using SmsGateway.Status;

namespace SmsGateway.Accept;

/// <summary>
/// The bulk half of the accept stage (<c>POST /send/batch</c>, README "Bulk send"): the items of one batch skip the
/// partition queues, whose capacity is sized for single requests. Per user of the batch: one use of the user's lock lease (<see cref="Locking.LockLeases"/>), one fenced
/// <see cref="IBalanceLedger.ReserveAsync"/> call for all of that user's items (in item order, so the balance runs out at a
/// definite item), then the reserved items are published, in frames of up to <see cref="PipelineOptions.MessageFrameSize"/>
/// messages, in a sliding window of <see cref="PipelineOptions.BatchPublishWindow"/> publishes.
/// At most <see cref="PipelineOptions.MaxConcurrentBatches"/> batches run at once; one more is answered "saturated".
/// </summary>
internal sealed partial class AcceptStage
{
    private SemaphoreSlim? _batchGate;

    /// <summary>
    /// Reserves and queues <paramref name="messages"/> (priced; any users); completes when every item is queued or refused.
    /// </summary>
    /// <returns>One result per message, in order. Never throws for a dependency failure: the items are answered Unavailable.</returns>
    /// <remarks>Thread-safe.</remarks>
    public async Task<AcceptResult[]> SubmitManyAsync(IReadOnlyList<SmsMessage> messages, long startTimestamp)
    {
        var results = new AcceptResult[messages.Count];
        if (messages.Count == 0)
        {
            return results;
        }

        var gate = LazyInitializer.EnsureInitialized(ref _batchGate, () => new SemaphoreSlim(_options.MaxConcurrentBatches));
        if (!gate.Wait(0))
        {
            PipelineLog.BatchSaturated(_logger, messages.Count, _options.MaxConcurrentBatches);
            for (int i = 0; i < results.Length; i++)
            {
                _metrics.Refused("saturated");
                results[i] = new AcceptResult(AcceptStatus.Saturated, messages[i], Detail: "too many batches are being accepted; retry later");
            }

            return results;
        }

        try
        {
            var trace = Activity.Current?.Context ?? default;
            var works = new AcceptWork[messages.Count];
            var byUser = new Dictionary<string, List<AcceptWork>>(StringComparer.Ordinal);
            for (int i = 0; i < works.Length; i++)
            {
                works[i] = new AcceptWork(messages[i], startTimestamp, trace);
                if (!byUser.TryGetValue(messages[i].UserId, out var list))
                {
                    byUser[messages[i].UserId] = list = new List<AcceptWork>(messages.Count);
                }

                list.Add(works[i]);
            }

            var users = new Task[byUser.Count];
            int u = 0;
            foreach (var (user, items) in byUser)
            {
                users[u++] = ReserveAndPublishManyAsync(user, items);
            }

            await Task.WhenAll(users).ConfigureAwait(false);
            for (int i = 0; i < works.Length; i++)
            {
                results[i] = await works[i].Completion.Task.ConfigureAwait(false);
            }

            return results;
        }
        finally
        {
            gate.Release();
        }
    }

    // The accept-time "queued" event; it carries the text only for accounts that store texts (README "Reports").
    private StatusEvent QueuedEvent(SmsMessage message)
    {
        var e = StatusEvent.For(message, MessageStatus.Queued, _time.GetUtcNow(), attempt: 0);
        return message.StoreText ? e with { Text = message.Text } : e;
    }

    private async Task ReserveAndPublishManyAsync(string userId, List<AcceptWork> items)
    {
        ReserveOutcome[] outcomes;
        var resource = "user:" + userId;
        using (var reserve = PipelineTelemetry.Source.HasListeners() ? PipelineTelemetry.StartBatch("reserve", ActivityKind.Internal, TracesOf(items)) : null)
        await using (var grant = await _leases.UseAsync(resource, CancellationToken.None).ConfigureAwait(false))
        {
            if (!grant.IsAcquired)
            {
                RefuseUnlocked(userId, grant, items, reserve);
                return;
            }

            var reservations = ReservationsOf(items);

            try
            {
                outcomes = await _ledger.ReserveAsync(userId, reservations, grant.FencingToken, CancellationToken.None).ConfigureAwait(false);
                if (Array.IndexOf(outcomes, ReserveOutcome.StaleFencingToken) >= 0)
                {
                    grant.Discard(); // a newer holder wrote: never reuse this token
                }
            }
            catch (Exception ex) when (ex is LedgerUnavailableException or TimeoutException)
            {
                PipelineLog.BatchFailed(_logger, ex, userId, items.Count);
                PipelineTelemetry.Fail(reserve, "ledger_unavailable");
                FailAll(items, "ledger", "the balance ledger is unavailable; nothing was charged; retry later");
                return;
            }
        }

        var publishes = new List<Task>();
        var stale = 0;
        for (int i = 0; i < items.Count; i++)
        {
            switch (outcomes[i])
            {
                case ReserveOutcome.Reserved or ReserveOutcome.AlreadyReserved:
                    break; // published in frames below
                case ReserveOutcome.InsufficientFunds:
                    publishes.Add(RejectAsync(items[i]));
                    break;
                default:
                    publishes.Add(Stale(items[i], ref stale));
                    break;
            }
        }

        using var window = new SemaphoreSlim(_options.BatchPublishWindow);
        foreach (var frame in FramesOf([new ReservedBatch(userId, items, outcomes, Deadline: null)]))
        {
            await window.WaitAsync().ConfigureAwait(false);
            publishes.Add(PublishInWindowAsync(frame.Items, window));
        }

        if (stale > 0)
        {
            PipelineLog.StaleToken(_logger, resource, stale);
        }

        await Task.WhenAll(publishes).ConfigureAwait(false);
        _confirmer.Confirm(userId, StoredIds(items));
    }

    private async Task PublishInWindowAsync(List<AcceptWork> frame, SemaphoreSlim window)
    {
        try
        {
            await PublishAsync(frame, CancellationToken.None).ConfigureAwait(false); // no accept deadline: a batch is bounded by MaxConcurrentBatches
        }
        finally
        {
            window.Release();
        }
    }
}
