using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Threading.Tasks.Dataflow;
using Microsoft.Extensions.Logging;
using SmsGateway.Billing;
using SmsGateway.Dataflow;
using SmsGateway.Diagnostics;
using SmsGateway.Locking;
using SmsGateway.Model;
using SmsGateway.Scheduling;
using SmsGateway.Status;
using SmsGateway.Transport;

namespace SmsGateway.Accept;

/// <summary>
/// The accept half of the graph (built by <see cref="PipelineGraph.Accept"/>): reserve the price under the user's lock,
/// then publish to <c>sms-express</c> / <c>sms-normal</c>. Users are hashed onto partitions; each partition takes what is
/// waiting (up to <see cref="PipelineOptions.MaxReserveBatch"/>) and makes one ledger call per user in the batch under
/// the user's lock lease (<see cref="LockLeases"/>: a grant kept across batches while the user's traffic flows), so the
/// Redlock round is paid per lease, not per batch or message. A batch never waits to fill: an idle gateway reserves a
/// lone express message at once. A reserved partition batch goes on to the publish block whole (its users' messages
/// share frames), so a partition reserves its next batch while the last one's broker acks are awaited.
/// </summary>
internal sealed partial class AcceptStage
{
    private readonly PipelineOptions _options;
    private readonly IMessageTransport _transport;
    private readonly IBalanceLedger _ledger;
    private readonly LockLeases _leases;
    private readonly StatusPublisher _status;
    private readonly PipelineMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly DrainingBatchBlock<AcceptWork>[] _partitions;
    private readonly ActionBlock<List<ReservedBatch>> _publish;
    private readonly ReservationConfirmer _confirmer;
    private readonly IScheduleStore? _schedule;
    private readonly ImpliedQueuedEvents? _implied;
    private readonly bool _handOverDecoded; // in-memory transport: the dispatcher takes the messages themselves (TransportCodec.ForMessages)

    public AcceptStage(PipelineOptions options, IMessageTransport transport, IBalanceLedger ledger, IDistributedLockFactory locks,
        StatusPublisher status, PipelineMetrics metrics, TimeProvider time, ILogger logger, DependencyCircuits? circuits = null, IScheduleStore? schedule = null,
        ImpliedQueuedEvents? implied = null, bool handOverDecoded = false)
    {
        _schedule = schedule;
        _implied = implied;
        _options = options;
        _transport = transport;
        _handOverDecoded = handOverDecoded;
        _ledger = ledger;
        _leases = new LockLeases(locks, options, time, logger, metrics); // released in CompleteAsync
        _status = status;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        _confirmer = new ReservationConfirmer(ledger, options.Reservations, time, logger);
        InitAdmission(circuits);
        (_partitions, _publish) = PipelineGraph.Accept(options, ReserveBatchAsync, PublishReservedAsync, RefuseFailed, p => _clocks[p].BatchEnded());
        metrics.AcceptQueueDepth = MeasureQueues;
    }

    /// <summary>
    /// Queues a priced message for reservation and publication; completes when it is queued or refused. With
    /// <paramref name="sendAt"/>, the reserved message goes to the schedule store instead of the broker (status <c>scheduled</c>).
    /// </summary>
    public Task<AcceptResult> SubmitAsync(SmsMessage message, long startTimestamp, DateTimeOffset? sendAt = null)
    {
        var work = new AcceptWork(message, startTimestamp, Activity.Current?.Context ?? default) { SendAt = sendAt };
        uint hash = (uint)StringComparer.Ordinal.GetHashCode(message.UserId);
        if (RefuseEarly(message, (int)(hash % (uint)_partitions.Length)) is { } refused)
        {
            return Task.FromResult(refused);
        }

        if (!_partitions[hash % (uint)_partitions.Length].Post(work))
        {
            _metrics.Refused("saturated");
            return Task.FromResult(new AcceptResult(AcceptStatus.Saturated, message, Detail: "the accept queue is full; retry later"));
        }

        return work.Completion.Task;
    }

    /// <summary>Stops taking requests and waits until every queued one has been answered.</summary>
    public async Task CompleteAsync()
    {
        foreach (var p in _partitions)
        {
            p.Complete();
        }

        await Task.WhenAll(_partitions.Select(p => p.Completion)).ConfigureAwait(false);
        _publish.Complete();
        await _publish.Completion.ConfigureAwait(false);
        await _confirmer.DrainAsync().ConfigureAwait(false);
        await _leases.DisposeAsync().ConfigureAwait(false);
        _metrics.AcceptQueueDepth = null;
    }

    private IEnumerable<Measurement<long>> MeasureQueues()
    {
        for (int i = 0; i < _partitions.Length; i++)
        {
            yield return new Measurement<long>(_partitions[i].Count, new KeyValuePair<string, object?>("partition", i));
        }
    }

    // One partition batch: drop the requests that waited past their deadline, then reserve per user (users at once).
    // The partition's clock runs from here until the graph has handed the batch to the publish block.
    private async Task<List<ReservedBatch>> ReserveBatchAsync(List<AcceptWork> batch, int partition)
    {
        batch.RemoveAll(RefuseStale);
        var reserved = new List<ReservedBatch>(1);
        if (batch.Count == 0)
        {
            return reserved;
        }

        _clocks[partition].BatchStarted(batch[0].StartTimestamp);
        if (SingleUser(batch))
        {
            if (await ReserveAsync(batch[0].Message.UserId, batch).ConfigureAwait(false) is { } one)
            {
                reserved.Add(one);
            }

            return reserved;
        }

        var byUser = new Dictionary<string, List<AcceptWork>>(StringComparer.Ordinal);
        foreach (var w in batch)
        {
            if (!byUser.TryGetValue(w.Message.UserId, out var list))
            {
                byUser[w.Message.UserId] = list = new List<AcceptWork>(4);
            }

            list.Add(w);
        }

        var users = new Task<ReservedBatch?>[byUser.Count];
        int i = 0;
        foreach (var (user, items) in byUser)
        {
            users[i++] = ReserveAsync(user, items);
        }

        foreach (var r in await Task.WhenAll(users).ConfigureAwait(false))
        {
            if (r is not null)
            {
                reserved.Add(r);
            }
        }

        return reserved;
    }

    private static bool SingleUser(List<AcceptWork> batch)
    {
        var user = batch[0].Message.UserId;
        for (int i = 1; i < batch.Count; i++)
        {
            if (!string.Equals(batch[i].Message.UserId, user, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    // Never leave a caller waiting: anything not yet answered is refused without charge (the exception text stays in the log).
    private void RefuseFailed(List<AcceptWork> items, Exception ex)
    {
        AcceptLog.BatchFailed(_logger, ex, items.Count);
        foreach (var w in items)
        {
            if (w.Completion.TrySetResult(AcceptResult.Unavailable("the request could not be accepted; retry later", w.Message)))
            {
                _metrics.Refused("internal");
            }
        }
    }

    // One user's items: the fenced reservation under the user's lock lease. Null when every item was answered here (no
    // lock, ledger down, deadline); otherwise the items with their outcomes, for the publish block.
    private async Task<ReservedBatch?> ReserveAsync(string userId, List<AcceptWork> items)
    {
        ReserveOutcome[] outcomes;
        var resource = "user:" + userId;
        var deadline = DeadlineFor(items);
        var token = deadline?.Token ?? CancellationToken.None;
        using (var reserve = PipelineTelemetry.Source.HasListeners() ? PipelineTelemetry.StartBatch("reserve", ActivityKind.Internal, TracesOf(items)) : null)
        await using (var grant = await LockWithinAsync(resource, items, token).ConfigureAwait(false))
        {
            if (grant is null)
            {
                AcceptLog.LockPastDeadline(_logger, userId, items.Count);
                PipelineTelemetry.Fail(reserve, "lock_deadline");
                deadline?.Dispose();
                return null;
            }

            if (!grant.IsAcquired)
            {
                RefuseUnlocked(userId, grant, items, reserve);
                deadline?.Dispose();
                return null;
            }

            var reservations = ReservationsOf(items);

            var reserveGiven = LeftOf(items);
            try
            {
                outcomes = await _ledger.ReserveAsync(userId, reservations, grant.FencingToken, token).ConfigureAwait(false);
                _circuits.Succeeded(AcceptDependency.Ledger);
                if (Array.IndexOf(outcomes, ReserveOutcome.StaleFencingToken) >= 0)
                {
                    grant.Discard(); // a newer holder wrote: never reuse this token
                }
            }
            catch (Exception ex) when (ex is LedgerUnavailableException or TimeoutException || (ex is OperationCanceledException && deadline?.IsCancellationRequested == true))
            {
                // A reserve cut short by the deadline may still have committed: the confirm/expiry sweeper releases it (README "Durability").
                PipelineLog.ReserveFailed(_logger, ex, userId, items.Count);
                PipelineTelemetry.Fail(reserve, "ledger_unavailable");
                if (ex is not OperationCanceledException)
                {
                    _circuits.Failed(AcceptDependency.Ledger, "unavailable");
                    FailAll(items, "ledger", "the balance ledger is unavailable; nothing was charged; retry later");
                }
                else
                {
                    bool blamed = DeadlineFailure(AcceptDependency.Ledger, items, reserveGiven, "no answer within the accept deadline");
                    RefusePastDeadline(items, blamed, AcceptDependency.Ledger);
                }

                deadline?.Dispose();
                return null;
            }
        }

        return new ReservedBatch(userId, items, outcomes, deadline);
    }

    // The publish block's work for one partition batch: each reserved item to the broker (or the schedule store), each
    // refused one answered; the reserved messages of all its users go out together, in frames per topic (FramesOf). Then
    // each user's stored ones are confirmed. Never throws: an unexpected failure answers what is unanswered with 503.
    private async Task PublishReservedAsync(List<ReservedBatch> users)
    {
        try
        {
            var publishes = new List<Task>();
            foreach (var (userId, items, outcomes, _) in users)
            {
                var stale = 0;
                for (int i = 0; i < items.Count; i++)
                {
                    var answer = outcomes[i] switch
                    {
                        ReserveOutcome.Reserved or ReserveOutcome.AlreadyReserved => items[i].SendAt is null ? null : ScheduleAsync(items[i]),
                        ReserveOutcome.InsufficientFunds => RejectAsync(items[i]),
                        _ => Stale(items[i], ref stale),
                    };
                    if (answer is not null)
                    {
                        publishes.Add(answer);
                    }
                }

                if (stale > 0)
                {
                    PipelineLog.StaleToken(_logger, "user:" + userId, stale); // once per user batch: a lost lock makes the whole batch stale
                }
            }

            foreach (var frame in FramesOf(users))
            {
                publishes.Add(PublishAsync(frame.Items, frame.Deadline));
            }

            await Task.WhenAll(publishes).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            foreach (var user in users)
            {
                RefuseFailed(user.Items, ex);
            }
        }
        finally
        {
            foreach (var user in users)
            {
                user.Deadline?.Dispose();
                _confirmer.Confirm(user.UserId, StoredIds(user.Items));
            }
        }
    }

    // The user's lock was not granted (no quorum, conflict): every request of the batch is refused, nothing reserved. When
    // the wait ran out in this process (the user's earlier batch, or an acquisition still running after its deadline, held
    // the user past LockWait), the gateway is busy with that user, not short of a lock: 429, like any overload.
    private void RefuseUnlocked(string userId, LockLease grant, List<AcceptWork> items, Activity? reserve)
    {
        if (grant.WaitedOutInProcess)
        {
            AcceptLog.UserBusy(_logger, userId, items.Count);
            PipelineTelemetry.Fail(reserve, "lock_busy");
            foreach (var w in items)
            {
                _metrics.Refused("saturated");
                w.Completion.TrySetResult(new AcceptResult(AcceptStatus.Saturated, w.Message,
                    Detail: "the gateway is saturated (an earlier request of this user still holds it); nothing was charged; retry later"));
            }

            return;
        }

        var status = grant.Status;
        PipelineLog.LockNotAcquired(_logger, userId, status, items.Count);
        PipelineTelemetry.Fail(reserve, "lock_" + status);
        FailAll(items, "lock", $"the balance lock for user {userId} is unavailable ({status}); retry later");
    }

    private static Reservation[] ReservationsOf(List<AcceptWork> items)
    {
        var reservations = new Reservation[items.Count];
        for (int i = 0; i < items.Count; i++)
        {
            reservations[i] = new Reservation(items[i].Message.Id, items[i].Message.Cost);
        }

        return reservations;
    }

    // Scheduled: store (durably in the full profile) instead of publishing; the scheduler publishes when due.
    // From AddAsync on, the reservation is durably stored (the point at which it counts as confirmed).
    private async Task ScheduleAsync(AcceptWork work)
    {
        var message = work.Message;
        try
        {
            var store = _schedule ?? throw new ScheduleStoreUnavailableException("no schedule store is configured");
            await store.AddAsync(message, work.SendAt!.Value, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ScheduleStoreUnavailableException or TimeoutException or OperationCanceledException)
        {
            SchedulingLog.StoreFailed(_logger, ex, message.Id);
            await CompensateAsync(message).ConfigureAwait(false);
            _metrics.Refused("schedule_store");
            work.Completion.TrySetResult(AcceptResult.Unavailable("the schedule store did not store the message; nothing was charged; retry later", message));
            return;
        }

        await _status.TryPublishAsync(StatusEvent.For(message, MessageStatus.Scheduled, _time.GetUtcNow(), attempt: 0), CancellationToken.None).ConfigureAwait(false);
        _metrics.Accepted(message.Type, Stopwatch.GetElapsedTime(work.StartTimestamp).TotalMilliseconds);
        work.Completion.TrySetResult(new AcceptResult(AcceptStatus.Scheduled, message));
    }

    private async Task RejectAsync(AcceptWork work)
    {
        _metrics.Refused("balance");
        work.Completion.TrySetResult(new AcceptResult(AcceptStatus.InsufficientBalance, work.Message, Detail: "the available balance does not cover the price"));
        await _status.TryPublishAsync(StatusEvent.For(work.Message, MessageStatus.Rejected, _time.GetUtcNow(), "insufficient_balance", attempt: 0), CancellationToken.None).ConfigureAwait(false);
    }

    private Task Stale(AcceptWork work, ref int stale)
    {
        stale++;
        _metrics.Refused("lock");
        work.Completion.TrySetResult(AcceptResult.Unavailable("the balance lock was lost before the reservation committed; nothing was charged; retry", work.Message));
        return Task.CompletedTask;
    }

    private async Task CompensateAsync(SmsMessage message)
    {
        try
        {
            await _ledger.RefundAsync(message.UserId, message.Id, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is LedgerUnavailableException or TimeoutException)
        {
            PipelineLog.CompensationFailed(_logger, ex, message.Id);
        }
    }

    private void FailAll(List<AcceptWork> items, string reason, string detail)
    {
        foreach (var w in items)
        {
            _metrics.Refused(reason);
            w.Completion.TrySetResult(AcceptResult.Unavailable(detail, w.Message));
        }
    }

    // The messages of this batch the broker or the schedule store stored (answered 202): their reservations are confirmed so the expiry sweep never
    // refunds them. Read after every publish ended, so each completion is set.
    private static List<Guid> StoredIds(List<AcceptWork> items)
    {
        var ids = new List<Guid>(items.Count);
        foreach (var w in items)
        {
            if (w.Completion.Task.IsCompletedSuccessfully && w.Completion.Task.Result.Status is AcceptStatus.Queued or AcceptStatus.Scheduled)
            {
                ids.Add(w.Message.Id);
            }
        }

        return ids;
    }

    private static ActivityContext[] TracesOf(List<AcceptWork> items)
    {
        var contexts = new ActivityContext[items.Count];
        for (int i = 0; i < contexts.Length; i++)
        {
            contexts[i] = items[i].Trace;
        }

        return contexts;
    }
}
