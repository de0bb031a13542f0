using Microsoft.Extensions.Logging;
using SmsGateway.Locking;
using SmsGateway.Model;
using SmsGateway.Status;
using SmsGateway.Transport;

namespace SmsGateway.Scheduling;

/// <summary>
/// The scheduler (gateway role): every <see cref="PipelineOptions.SchedulerPollInterval"/> it asks the store whether anything
/// is due and, when it is (and on every <see cref="IdleReleaseEvery"/>-th poll regardless), takes the <c>scheduler</c> lock
/// (Redlock in the full profile, without waiting: another holder means another gateway is releasing) and, while the grant
/// is valid, releases due messages in batches: publish <c>queued</c> and the message to <c>sms-express</c>/<c>sms-normal</c>
/// (broker de-duplication id = message id and attempt), then mark them released in the store, fenced by the grant's token.
/// Two schedulers therefore never release one message twice: the lock keeps them apart, and the store's mark (in one
/// transaction with the fence check) stops a holder whose lock expired; a crash between publish and mark republishes
/// with the same de-duplication id, and the dispatcher's begin-send never sends a captured message again.
/// </summary>
internal sealed class SchedulerStage
{
    internal const string LockResource = "scheduler";

    /// <summary>
    /// Every this many polls the scheduler takes the lock and calls the store's release even when the store said nothing is
    /// due (10 s at the default 100-ms poll), so that the stores' housekeeping inside it (released entries forgotten after
    /// their retention) runs while nothing is scheduled.
    /// </summary>
    internal const int IdleReleaseEvery = 100;

    private readonly PipelineOptions _options;
    private readonly IScheduleStore _store;
    private readonly IDistributedLockFactory _locks;
    private readonly IMessageTransport _transport;
    private readonly StatusPublisher _status;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;
    private int _polls;

    public SchedulerStage(PipelineOptions options, IScheduleStore store, IDistributedLockFactory locks, IMessageTransport transport,
        StatusPublisher status, TimeProvider time, ILogger logger)
    {
        _options = options;
        _store = store;
        _locks = locks;
        _transport = transport;
        _status = status;
        _time = time;
        _logger = logger;
    }

    public void Start() => _loop = Task.Run(RunAsync);

    public async Task StopAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }

        _stop.Dispose();
    }

    private async Task RunAsync()
    {
        var token = _stop.Token;
        while (!token.IsCancellationRequested)
        {
            try
            {
                await ReleaseDueAsync(token).ConfigureAwait(false);
                await Task.Delay(_options.SchedulerPollInterval, _time, token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                SchedulingLog.ReleaseFailed(_logger, ex);
                try
                {
                    await Task.Delay(_options.SchedulerPollInterval * 5, _time, token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>One look: when something may be due, take the lock if free and release due batches while the grant lasts.</summary>
    /// <remarks>Called by one loop at a time. An idle poll costs one store read instead of a Redlock round over three nodes
    /// and a store transaction (bench/README.md "Closing sitting of issue 15", the idle host).</remarks>
    internal async Task ReleaseDueAsync(CancellationToken cancellationToken)
    {
        if (++_polls % IdleReleaseEvery != 0 && !await _store.AnyDueAsync(_time.GetUtcNow(), cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        await using var grant = await _locks.CreateLockAsync(LockResource, _options.SchedulerLockExpiry, TimeSpan.Zero, _options.LockRetry, cancellationToken).ConfigureAwait(false);
        if (!grant.IsAcquired)
        {
            return;
        }

        while (!cancellationToken.IsCancellationRequested)
        {
            var now = _time.GetUtcNow();
            // Stop with a margin: a batch must commit while the grant is still valid (the fence catches the rest).
            if (!grant.IsAcquired || grant.ValidUntil - now < _options.SchedulerLockExpiry / 2)
            {
                if (!grant.IsAcquired)
                {
                    SchedulingLog.LockLost(_logger, grant.Status);
                }

                return;
            }

            var result = await _store.ReleaseDueAsync(now, _options.SchedulerBatchSize, grant.FencingToken, PublishAsync, cancellationToken).ConfigureAwait(false);
            if (result.StaleFencingToken)
            {
                SchedulingLog.StaleToken(_logger, grant.FencingToken);
                return;
            }

            if (result.Released > 0)
            {
                SchedulingLog.Released(_logger, result.Released);
            }

            if (result.Released < _options.SchedulerBatchSize)
            {
                return;
            }
        }
    }

    // The due messages of one user and topic go out as message frames of up to MessageFrameSize (docs/architecture.md
    // "Message frames"); the release commits only when every publish was acked.
    private async ValueTask PublishAsync(IReadOnlyList<SmsMessage> messages, CancellationToken cancellationToken)
    {
        var publishes = new List<Task>();
        foreach (var group in messages.GroupBy(m => (m.UserId, Topic: Topics.ForType(m.Type))))
        {
            foreach (var frame in group.Chunk(_options.MessageFrameSize))
            {
                publishes.Add(PublishFrameAsync(group.Key.Topic, frame, cancellationToken));
            }
        }

        await Task.WhenAll(publishes).ConfigureAwait(false);
    }

    private async Task PublishFrameAsync(string topic, SmsMessage[] frame, CancellationToken cancellationToken)
    {
        // queued first: its event carries attempt 0, like accept's, and outranks scheduled (StatusPrecedence.Rank).
        var queued = new ValueTask[frame.Length];
        for (int i = 0; i < frame.Length; i++)
        {
            queued[i] = _status.TryPublishAsync(StatusEvent.For(frame[i], MessageStatus.Queued, _time.GetUtcNow(), attempt: 0), cancellationToken);
        }

        await _transport.PublishAsync(topic, TransportCodec.ForMessages(frame), cancellationToken).ConfigureAwait(false);
        foreach (var q in queued)
        {
            await q.ConfigureAwait(false);
        }
    }
}
