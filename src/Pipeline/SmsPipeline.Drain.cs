using System.Diagnostics;
using System.Text.Json;
using SmsGateway.Accept;
using SmsGateway.Billing;
using SmsGateway.Model;
using SmsGateway.Serialization;
using SmsGateway.Transport;
using SmsGateway.Transport.InMemory;

namespace SmsGateway;

/// <summary>
/// The graceful stop of the embedded profile (issue 12 item 8, README "Durability"): the in-memory transport dies with the
/// process, so before the dispatchers stop, the pipeline waits until every accepted message has been settled (sent and
/// captured, or failed and refunded). When the drain's part of <see cref="PipelineOptions.ShutdownTimeout"/> (all of it but a
/// quarter, at most 3 s, kept for stopping the dispatchers and writing the last statuses) runs out first, the dispatchers
/// finish the sends in progress only, and every message not sent is settled as <c>failed</c> (reason <c>shutdown</c>) and
/// refunded; the log says how many messages were failed and how many were lost with the process (event 7112).
/// </summary>
public sealed partial class SmsPipeline
{
    private readonly InMemoryTransport? _inMemory;
    private bool _drainIncomplete;
    private int _failedAtStop;

    /// <summary>
    /// The circuit breakers of <c>/send</c>'s dependencies (broker, ledger, lock quorum): open ones make
    /// <see cref="SendAsync"/> answer <see cref="AcceptStatus.Unavailable"/> at once. Readiness probes report to it.
    /// </summary>
    public DependencyCircuits Circuits { get; }

    // Part of the shutdown timeout kept for stopping the dispatchers, settling what is left and writing the last statuses.
    private TimeSpan DrainBudget
    {
        get
        {
            var reserve = _options.ShutdownTimeout / 4;
            return _options.ShutdownTimeout - (reserve < TimeSpan.FromSeconds(3) ? reserve : TimeSpan.FromSeconds(3));
        }
    }

    private (string Topic, string Group)[] DispatchQueues =>
        [(Topics.Express, _options.DispatchGroup), (Topics.Normal, _options.DispatchGroup), (Topics.DeadLetter, _options.RetryGroup)];

    // Accepted messages the in-memory transport holds for the dispatchers: queued, in a lane, or waiting for a retry.
    private long PendingInMemory()
    {
        long pending = 0;
        foreach (var (topic, group) in DispatchQueues)
        {
            pending += _inMemory!.Pending(topic, group);
        }

        return pending;
    }

    // Called after the accept stage answered its last request and before the dispatchers stop.
    private async Task DrainInMemoryAsync(long stopStarted)
    {
        if (_inMemory is null || _dispatch is null)
        {
            return;
        }

        long pending = PendingInMemory();
        if (pending == 0)
        {
            return;
        }

        AcceptLog.DrainStarted(_logger, pending);
        var budget = DrainBudget;
        while (Stopwatch.GetElapsedTime(stopStarted) < budget)
        {
            if (PendingInMemory() == 0)
            {
                AcceptLog.Drained(_logger, Stopwatch.GetElapsedTime(stopStarted).TotalMilliseconds);
                return;
            }

            await Task.Delay(20).ConfigureAwait(false);
        }

        // Out of time: the dispatchers stop after the sends in progress; what their lanes still queue goes back to the transport.
        _drainIncomplete = true;
        _dispatch.AbandonQueuedOnStop = true;
    }

    // Called after the dispatchers stopped: settles what the in-memory transport still queues as failed (refunded); what it
    // cannot reach (a nak'ed message waiting for its redelivery) is lost with the process. The log says how many of each.
    private async Task FailUnsentAsync()
    {
        if (_inMemory is null || !_drainIncomplete)
        {
            return;
        }

        foreach (var (topic, group) in DispatchQueues)
        {
            foreach (var payload in _inMemory.TakeQueued(topic, group))
            {
                _failedAtStop += await FailUnsentAsync(payload, topic).ConfigureAwait(false);
            }
        }

        long lost = PendingInMemory();
        AcceptLog.DrainIncomplete(_logger, _failedAtStop + lost, _failedAtStop, lost);
    }

    // Fails (refunds) each message of one queued payload, a message or a frame of them; returns how many it failed.
    private async Task<int> FailUnsentAsync(ReadOnlyMemory<byte> payload, string topic)
    {
        IReadOnlyList<SmsMessage> messages;
        try
        {
            messages = PipelineJson.DeserializeMessages(payload.Span);
        }
        catch (JsonException ex)
        {
            PipelineLog.PoisonMessage(_logger, ex, topic);
            return 0;
        }

        int failed = 0;
        foreach (var message in messages)
        {
            try
            {
                var refund = await _ledger.RefundAsync(message.UserId, message.Id, CancellationToken.None).ConfigureAwait(false);
                if (refund is SettleOutcome.SettledOtherwise or SettleOutcome.AlreadySettled)
                {
                    // Captured (sent, its sent status is out), or refunded already: the same message can wait in two
                    // payloads, a frame nak'ed at stop and the frame its lane-full rest was published back in
                    // (docs/architecture.md "Message frames"); the first refund reported it.
                    continue;
                }

                var e = StatusEvent.For(message, MessageStatus.Failed, _time.GetUtcNow(), "shutdown", message.Attempt);
                await _status.PublishAsync(e, message.CallbackUrl, CancellationToken.None).ConfigureAwait(false);
                failed++;
            }
            catch (Exception ex) when (ex is LedgerUnavailableException or TransportException or TimeoutException)
            {
                PipelineLog.CompensationFailed(_logger, ex, message.Id);
            }
        }

        return failed;
    }
}
