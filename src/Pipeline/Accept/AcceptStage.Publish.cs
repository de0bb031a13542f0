using System.Diagnostics;
using SmsGateway.Billing;
using SmsGateway.Diagnostics;
using SmsGateway.Model;
using SmsGateway.Status;
using SmsGateway.Transport;

namespace SmsGateway.Accept;

/// <summary>
/// The publish half of the accept stage: the reserved messages of a partition batch (any users) or a bulk request go to
/// the broker as frames of one topic (docs/architecture.md "Message frames"), and a publish that fails or misses the
/// accept deadline withdraws its reservations.
/// </summary>
internal sealed partial class AcceptStage
{
    // One broker publish for a frame of messages to one topic (a lone message goes as version 1; docs/architecture.md
    // "Message frames"), with each message's queued event: published with it, or held when this process also dispatches
    // (docs/architecture.md "The queued event, implied"); every message of the frame gets the publish's answer.
    private async Task PublishAsync(IReadOnlyList<AcceptWork> frame, CancellationToken deadline)
    {
        var first = frame[0].Message;
        var topic = Topics.ForType(first.Type);
        var publishGiven = LeftOf(frame);
        using var activity = PipelineTelemetry.StartPublish(topic, frame[0].Trace);
        activity?.SetTag("sms.message_id", first.Id.ToString());
        activity?.SetTag("sms.frame.messages", frame.Count);
        var messages = new SmsMessage[frame.Count];
        bool handedOver = false; // the broker was given the frame (a token already cancelled hands nothing over: IMessageTransport)
        try
        {
            var queued = new ValueTask[frame.Count];
            for (int i = 0; i < frame.Count; i++)
            {
                messages[i] = frame[i].Message;
                queued[i] = PublishOrHoldQueued(messages[i], deadline);
            }

            handedOver = !deadline.IsCancellationRequested;
            await _transport.PublishAsync(topic, TransportCodec.ForMessages(messages, _handOverDecoded), deadline).ConfigureAwait(false);
            _circuits.Succeeded(AcceptDependency.Broker);
            foreach (var q in queued)
            {
                await q.ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is TransportException or OperationCanceledException or TimeoutException)
        {
            DropHeld(frame);
            bool pastDeadline = deadline.IsCancellationRequested;
            bool blamed = true; // a failed publish, or one whose own call used most of the deadline: the broker's fault
            if (pastDeadline)
            {
                blamed = DeadlineFailure(AcceptDependency.Broker, frame, publishGiven, "no publish ack within the accept deadline");
            }
            else
            {
                _circuits.Failed(AcceptDependency.Broker, "publish failed");
            }

            PipelineTelemetry.Fail(activity, pastDeadline ? "broker_deadline" : "broker_unavailable");
            var withdrawals = new Task<Withdrawal>[frame.Count];
            for (int i = 0; i < frame.Count; i++)
            {
                if (pastDeadline)
                {
                    AcceptLog.PublishPastDeadline(_logger, frame[i].Message.Id);
                }
                else
                {
                    PipelineLog.PublishFailed(_logger, ex, frame[i].Message.Id);
                }

                withdrawals[i] = WithdrawAsync(frame[i].Message);
            }

            var outcomes = await Task.WhenAll(withdrawals).ConfigureAwait(false);
            bool stored = pastDeadline && handedOver && Array.IndexOf(outcomes, Withdrawal.Unknown) >= 0
                && await PublishAgainAsync(topic, messages).ConfigureAwait(false);
            for (int i = 0; i < frame.Count; i++)
            {
                Answer(frame[i], outcomes[i], stored, blamed);
            }

            return;
        }

        for (int i = 0; i < frame.Count; i++)
        {
            var work = frame[i];
            _metrics.Accepted(work.Message.Type, Stopwatch.GetElapsedTime(work.StartTimestamp).TotalMilliseconds);
            work.Completion.TrySetResult(new AcceptResult(AcceptStatus.Queued, work.Message));
        }
    }

    // Held before the broker publish, so a dispatcher of this process that sends the message at once finds it held and drops it.
    // An account that stores texts gets its event at once: the text rides only on this event (README "Reports").
    private ValueTask PublishOrHoldQueued(SmsMessage message, CancellationToken deadline)
    {
        if (!HoldsQueued(message))
        {
            return _status.TryPublishAsync(QueuedEvent(message), deadline);
        }

        _implied!.Hold(QueuedEvent(message));
        return ValueTask.CompletedTask;
    }

    private bool HoldsQueued(SmsMessage message) => _implied is not null && !message.StoreText;

    private void DropHeld(IReadOnlyList<AcceptWork> frame)
    {
        if (_implied is null)
        {
            return;
        }

        for (int i = 0; i < frame.Count; i++)
        {
            _implied.Drop(frame[i].Message.Id);
        }
    }

    // The answer to one message of a publish that failed or was cut off, once its withdrawal ran: 202 if a dispatcher had
    // begun sending it, or if its withdrawal could not reach the ledger and the frame turned out to be stored
    // (PublishAgainAsync); otherwise 503, or 429 when the broker was not blamed (the request spent its deadline queued:
    // PastDeadline), and a rejected status.
    private void Answer(AcceptWork work, Withdrawal withdrawal, bool stored, bool brokerBlamed)
    {
        var message = work.Message;
        if (withdrawal == Withdrawal.SendingStarted || (withdrawal == Withdrawal.Unknown && stored))
        {
            _metrics.Accepted(message.Type, Stopwatch.GetElapsedTime(work.StartTimestamp).TotalMilliseconds);
            work.Completion.TrySetResult(new AcceptResult(AcceptStatus.Queued, message));
            if (withdrawal == Withdrawal.Unknown && HoldsQueued(message))
            {
                _ = _status.TryPublishAsync(QueuedEvent(message), CancellationToken.None).AsTask(); // its held event was dropped
            }

            return;
        }

        _metrics.Refused(brokerBlamed ? "broker" : "saturated");
        work.Completion.TrySetResult(brokerBlamed
            ? AcceptResult.Unavailable("the message broker did not store the message; nothing was charged; retry later", message)
            : PastDeadline(blamed: false, AcceptDependency.Broker, message));

        // Not awaited: the broker is likely down and this publish may take a whole publish timeout, which would hold the
        // partition (and every user hashed onto it). TryPublishAsync never throws. The queued event may already be out;
        // a rejected event outranks it, so the report shows the truth once the broker is back.
        _ = _status.TryPublishAsync(StatusEvent.For(message, MessageStatus.Rejected, _time.GetUtcNow(), brokerBlamed ? "broker_unavailable" : "saturated", attempt: 0), CancellationToken.None).AsTask();
    }

    // A frame was handed to the broker and its ack missed the deadline, and some of its withdrawals could not reach the
    // ledger: whether the broker stored it is unknown, and if it did, a dispatcher sends it once the ledger is back. So the
    // same frame is published once more (the same de-duplication id: a broker that stored it drops the copy, and dispatch
    // sends a message once whatever copies arrive, docs/architecture.md "Money and locks"), within half an accept
    // deadline. True: the frame is stored now, and those requests are answered 202 instead of a 503 that could be charged.
    private async Task<bool> PublishAgainAsync(string topic, SmsMessage[] messages)
    {
        using var bound = new CancellationTokenSource(_options.AcceptDeadline / 2);
        try
        {
            await _transport.PublishAsync(topic, TransportCodec.ForMessages(messages, _handOverDecoded), bound.Token).ConfigureAwait(false);
            AcceptLog.PublishedAgain(_logger, messages.Length, messages[0].Id);
            return true;
        }
        catch (Exception ex) when (ex is TransportException or OperationCanceledException or TimeoutException)
        {
            AcceptLog.PublishAgainFailed(_logger, ex, messages.Length, messages[0].Id);
            return false;
        }
    }

    // The reserved messages of these user batches that go to the broker, as frames of at most MessageFrameSize messages
    // of one topic each (express first), in order within a topic and user. A frame may hold several users' messages
    // (docs/architecture.md "Message frames"); it is published within the accept deadline of the user batch whose
    // earliest request is oldest, the first of its deadlines to run out.
    private List<OutgoingFrame> FramesOf(IReadOnlyList<ReservedBatch> users)
    {
        // Index loops, not foreach: a foreach over the IReadOnlyList boxes its enumerator, three times per user batch.
        var frames = new List<OutgoingFrame>(2); // most batches make one frame, or one per topic
        int count = 0;
        for (int u = 0; u < users.Count; u++)
        {
            count += users[u].Items.Count;
        }

        int capacity = Math.Min(_options.MessageFrameSize, count);
        AddFrames(frames, users, Topics.Express, capacity);
        AddFrames(frames, users, Topics.Normal, capacity);
        return frames;
    }

    private void AddFrames(List<OutgoingFrame> frames, IReadOnlyList<ReservedBatch> users, string topic, int capacity)
    {
        List<AcceptWork>? open = null;
        ReservedBatch? oldest = null;
        long oldestStart = long.MaxValue;
        for (int u = 0; u < users.Count; u++)
        {
            var user = users[u];
            var (_, items, outcomes, _) = user;
            long userStart = EarliestStart(items);
            for (int i = 0; i < items.Count; i++)
            {
                if (outcomes[i] is not (ReserveOutcome.Reserved or ReserveOutcome.AlreadyReserved) || items[i].SendAt is not null
                    || Topics.ForType(items[i].Message.Type) != topic)
                {
                    continue;
                }

                if (open is null || open.Count == _options.MessageFrameSize)
                {
                    if (open is not null)
                    {
                        frames.Add(new OutgoingFrame(open, oldest!.Deadline?.Token ?? CancellationToken.None));
                    }

                    open = new List<AcceptWork>(capacity);
                    oldest = null;
                    oldestStart = long.MaxValue;
                }

                open.Add(items[i]);
                if (oldest is null || userStart < oldestStart)
                {
                    (oldest, oldestStart) = (user, userStart);
                }
            }
        }

        if (open is not null)
        {
            frames.Add(new OutgoingFrame(open, oldest!.Deadline?.Token ?? CancellationToken.None));
        }
    }

    // Messages to one topic for one broker publish, and the accept deadline it runs under.
    private readonly record struct OutgoingFrame(List<AcceptWork> Items, CancellationToken Deadline);

    // A publish that failed or was cut off by the accept deadline may still have been stored by the broker. Its reservation
    // is withdrawn with the cancel script, which refunds only while no dispatcher has begun sending it (DispatchStage's
    // begin-send, docs/architecture.md): refunded, the message is never sent (a stored copy is dropped at begin-send) and
    // the answer is 503 "nothing was charged"; already being sent, it was stored after all, so the answer is 202. When the
    // ledger cannot be reached the outcome is unknown (Answer, PublishAgainAsync).
    private async Task<Withdrawal> WithdrawAsync(SmsMessage message)
    {
        try
        {
            var outcome = await _ledger.CancelAsync(message.UserId, message.Id, CancellationToken.None).ConfigureAwait(false);
            return outcome == CancelOutcome.SendingStarted ? Withdrawal.SendingStarted : Withdrawal.Refunded;
        }
        catch (Exception ex) when (ex is LedgerUnavailableException or TimeoutException)
        {
            PipelineLog.CompensationFailed(_logger, ex, message.Id);
            return Withdrawal.Unknown;
        }
    }

    // What the withdrawal of an unpublished message found: refunded (or nothing left to refund), a send already begun, or
    // no answer from the ledger.
    private enum Withdrawal
    {
        Refunded,
        SendingStarted,
        Unknown,
    }
}
