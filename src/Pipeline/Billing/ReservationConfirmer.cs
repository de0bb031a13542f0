using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace SmsGateway.Billing;

/// <summary>
/// Confirms, for the accept stage, the reservations of messages the broker stored, retrying a failed call with a short
/// jittered exponential backoff (Polly). A remote ledger gets the confirms of all users by group commit
/// (<see cref="LedgerBatcher{TRequest, TResult}"/> over <see cref="IBalanceLedger.ConfirmManyAsync"/>, at most
/// <see cref="ReservationOptions.ConfirmBatch"/> per call, each user batch handed in as one group), the retry wrapped
/// around each batch call; the in-memory one a <see cref="IBalanceLedger.ConfirmAsync"/> per user batch, without retries.
/// The caller does not wait: a 202 never depends on the confirm. A confirm that still fails is logged; the message's
/// reservation then stays pending and the expiry sweep refunds it after <see cref="ReservationOptions.ConfirmDeadline"/>
/// unless dispatch has started sending it (README "Durability", reservations whose outcome is unknown).
/// </summary>
/// <remarks>Thread-safe. <see cref="DrainAsync"/> waits for the confirms still running and ends the group commit (shutdown).</remarks>
internal sealed class ReservationConfirmer
{
    private readonly LedgerBatcher<ConfirmRequest, ConfirmOutcome>? _batcher;
    private readonly IBalanceLedger _ledger;
    private readonly ILogger _logger;
    private readonly double _deadlineMs;
    private readonly ResiliencePipeline _retry;
    private readonly bool _inProcess;
    private readonly HashSet<Task> _running = [];

    public ReservationConfirmer(IBalanceLedger ledger, ReservationOptions options, TimeProvider time, ILogger logger)
    {
        _ledger = ledger;
        _logger = logger;
        _deadlineMs = options.ConfirmDeadline.TotalMilliseconds;
        _retry = LedgerRetry(options, time, logger, "confirm");
        // The in-memory ledger has nothing to retry: its confirm is called without the retry pipeline, whose run per user
        // batch was 2.5 % of the embedded host's CPU (bench/README.md "The embedded host's CPU at head").
        _inProcess = LedgerBatcher.InProcess(ledger);
        if (LedgerBatcher.Pays(ledger, options.ConfirmBatch))
        {
            // The retry wraps the batch call: one run of the retry pipeline per call to the ledger, not per user batch.
            var retry = _retry;
            _batcher = new LedgerBatcher<ConfirmRequest, ConfirmOutcome>(
                (items, ct) => retry.ExecuteAsync(static (s, ct) => s.Ledger.ConfirmManyAsync(s.Items, ct), (Ledger: ledger, Items: items), ct),
                options.ConfirmBatch);
        }
    }

    /// <summary>Starts confirming <paramref name="messageIds"/> of <paramref name="userId"/>; returns at once (never throws).</summary>
    public void Confirm(string userId, IReadOnlyList<Guid> messageIds)
    {
        if (messageIds.Count == 0)
        {
            return;
        }

        var task = ConfirmAsync(userId, messageIds);
        if (task.IsCompleted)
        {
            return; // the in-memory ledger answers synchronously
        }

        lock (_running)
        {
            _running.Add(task);
        }

        _ = task.ContinueWith(static (t, state) =>
        {
            var running = (HashSet<Task>)state!;
            lock (running)
            {
                running.Remove(t);
            }
        }, _running, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>Confirms with retries; logs instead of throwing.</summary>
    public async Task ConfirmAsync(string userId, IReadOnlyList<Guid> messageIds)
    {
        ConfirmOutcome[] outcomes;
        try
        {
            outcomes = _batcher is not null ? await ConfirmGroupAsync(_batcher, userId, messageIds).ConfigureAwait(false)
                : _inProcess ? await _ledger.ConfirmAsync(userId, messageIds, CancellationToken.None).ConfigureAwait(false)
                : await _retry.ExecuteAsync(static (s, ct) => s.Ledger.ConfirmAsync(s.UserId, s.Ids, ct), (Ledger: _ledger, UserId: userId, Ids: messageIds), CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is LedgerUnavailableException or TimeoutException)
        {
            ReservationLog.ConfirmFailed(_logger, ex, userId, messageIds.Count, _deadlineMs);
            return;
        }

        for (int i = 0; i < outcomes.Length; i++)
        {
            if (outcomes[i] == ConfirmOutcome.Expired)
            {
                ReservationLog.ConfirmedTooLate(_logger, messageIds[i], userId);
            }
        }
    }

    /// <summary>Completes when every confirm started so far has ended; later confirms are each written alone.</summary>
    public async Task DrainAsync()
    {
        Task[] running;
        lock (_running)
        {
            running = [.. _running];
        }

        await Task.WhenAll(running).ConfigureAwait(false);
        if (_batcher is not null)
        {
            await _batcher.DisposeAsync().ConfigureAwait(false);
        }
    }

    // The user batch's confirms into the group commit as one group: one completion (one thread-pool continuation) per user
    // batch, not per message. The batch call retries (idempotent per item); when it still fails, the group fails with it.
    private static Task<ConfirmOutcome[]> ConfirmGroupAsync(LedgerBatcher<ConfirmRequest, ConfirmOutcome> batcher, string userId, IReadOnlyList<Guid> ids)
    {
        var requests = new ConfirmRequest[ids.Count];
        for (int i = 0; i < requests.Length; i++)
        {
            requests[i] = new ConfirmRequest(userId, ids[i]);
        }

        return batcher.RunManyAsync(requests);
    }

    /// <summary>
    /// Retries of a ledger (or broker) call that failed with an "unavailable" exception:
    /// <see cref="ReservationOptions.ConfirmRetries"/> retries, first after <see cref="ReservationOptions.ConfirmRetryDelay"/>,
    /// doubling, jittered; each retry is logged.
    /// </summary>
    internal static ResiliencePipeline LedgerRetry(ReservationOptions options, TimeProvider time, ILogger logger, string operation) =>
        new ResiliencePipelineBuilder { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder()
                    .Handle<LedgerUnavailableException>()
                    .Handle<TimeoutException>()
                    .Handle<Transport.TransportException>(),
                MaxRetryAttempts = options.ConfirmRetries,
                Delay = options.ConfirmRetryDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                OnRetry = args =>
                {
                    ReservationLog.Retrying(logger, args.Outcome.Exception, operation, args.AttemptNumber + 1, args.RetryDelay.TotalMilliseconds);
                    return default;
                },
            })
            .Build();
}
