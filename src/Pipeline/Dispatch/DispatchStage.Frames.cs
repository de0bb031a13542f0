using System.Diagnostics;
using System.Text.Json;
using System.Threading.Tasks.Dataflow;
using SmsGateway.Diagnostics;
using SmsGateway.Model;
using SmsGateway.Serialization;
using SmsGateway.Transport;

namespace SmsGateway.Dispatch;

/// <summary>
/// Dispatch of a version-2 message frame (docs/architecture.md, "Message frames"): each message goes to its lane as if
/// it had come alone, with a delivery of its own (<see cref="FramedDelivery"/>) that settles the frame once all of them
/// are settled.
/// </summary>
internal sealed partial class DispatchStage
{
    // Messages that found their lane full are handed back without repeating the ones that were queued: when none was
    // queued the whole frame is nak'ed with the lane's pause; otherwise the rest goes back to the topic as a new frame (a
    // nak of the whole frame would send the queued ones through begin-send again, and a frame that always meets a
    // nearly full lane would never get past its first messages). An undecodable frame is dead-lettered whole.
    // handedOver: the frame's messages as the accept stage of this process handed them over, or null to decode the payload.
    private async ValueTask RouteFrameAsync(IDelivery frame, SmsMessage[]? handedOver, Activity? activity, CancellationToken token)
    {
        SmsMessage[] messages;
        IDelivery[] deliveries;
        if (handedOver is not null)
        {
            messages = handedOver;
            deliveries = FramedDelivery.Split(frame, handedOver);
        }
        else
        {
            (SmsMessage Message, Range Bytes)[] items;
            try
            {
                items = MessageFrameJson.Read(frame.Payload.Span);
            }
            catch (JsonException ex)
            {
                PipelineTelemetry.Fail(activity, "poison_message");
                await PoisonDelivery.DeadLetterAsync(frame, ex, _options, _metrics, _logger).ConfigureAwait(false);
                return;
            }

            messages = new SmsMessage[items.Length];
            var ranges = new Range[items.Length];
            for (int i = 0; i < items.Length; i++)
            {
                (messages[i], ranges[i]) = items[i];
            }

            deliveries = FramedDelivery.Split(frame, ranges);
        }

        activity?.SetTag("sms.frame.messages", messages.Length);
        long roomUntil = Stopwatch.GetTimestamp() + (long)(_options.LaneRoomWait.TotalSeconds * Stopwatch.Frequency);
        var trace = activity?.Context ?? default;
        List<int>? handBack = null;
        var pause = TimeSpan.Zero;
        for (int i = 0; i < messages.Length; i++)
        {
            var message = messages[i];
            var lane = GetLane(message.Operator);
            if (lane is null)
            {
                PipelineLog.UnknownOperator(_logger, message.Id, message.Operator);
                await SettleAsync(new DispatchWork(message, deliveries[i], trace), new SendResult(SendOutcome.PermanentFailure, "no_route")).ConfigureAwait(false);
            }
            else if (!await PostOrWaitAsync(lane, new DispatchWork(message, deliveries[i], trace), roomUntil, token).ConfigureAwait(false))
            {
                (handBack ??= []).Add(i);
                var wait = token.IsCancellationRequested ? TimeSpan.Zero : LaneFullPause(lane);
                pause = wait > pause ? wait : pause;
            }
        }

        if (handBack is null)
        {
            return;
        }

        if (handBack.Count == messages.Length || token.IsCancellationRequested)
        {
            foreach (int i in handBack)
            {
                await deliveries[i].NakAsync(pause, CancellationToken.None).ConfigureAwait(false);
            }

            return;
        }

        await RequeueAsync(frame, messages, deliveries, handBack, pause).ConfigureAwait(false);
    }

    // Offers a framed message to its lane; while the lane is full, waits for room until roomUntil, the frame's share of
    // PipelineOptions.LaneRoomWait (one budget per frame, not per message). A busy lane (its workers take messages out)
    // makes room within a fraction of a millisecond, and waiting for it is the backpressure a frame needs: one delivery
    // holds up to MessageFrameSize messages, so MaxInFlight frames are far more than the lanes hold, and handing the rest
    // back cost a publish, a delivery and a decode of the whole rest per round (bench/README.md "Frames that find their
    // lane full"). A lane that makes no room before the budget ends (stalled, rate-limited or just slower than this
    // consumer) is left alone for its LaneFullPause: its messages go back at once meanwhile, so such a lane costs the
    // consumer at most one budget per pause instead of setting the pace for every other operator.
    private async ValueTask<bool> PostOrWaitAsync(OperatorLane lane, DispatchWork work, long roomUntil, CancellationToken token)
    {
        while (!lane.Post(work))
        {
            var left = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), roomUntil);
            if (token.IsCancellationRequested || left <= TimeSpan.Zero
                || !await lane.WaitForRoomAsync(work.Message.Type, left, LaneFullPause(lane), token).ConfigureAwait(false))
            {
                return false;
            }
        }

        return true;
    }

    // Publishes the handed-back messages of a frame as a frame of their own, then acks them in this one; if the broker does
    // not store it they are nak'ed (the whole frame comes back, and begin-send drops what was sent meanwhile).
    private async Task RequeueAsync(IDelivery frame, SmsMessage[] messages, IDelivery[] deliveries, List<int> handBack, TimeSpan pause)
    {
        var payloads = new byte[handBack.Count][];
        for (int k = 0; k < payloads.Length; k++)
        {
            payloads[k] = deliveries[handBack[k]].Payload.ToArray(); // the message's version-1 object
        }

        try
        {
            var rest = TransportCodec.ForFrameRest(frame, payloads, messages[handBack[0]]);
            await _transport.PublishAsync(frame.Topic, rest, CancellationToken.None).ConfigureAwait(false);
        }
        catch (TransportException ex)
        {
            PipelineLog.ConsumerFailed(_logger, ex, frame.Topic);
            foreach (int i in handBack)
            {
                await deliveries[i].NakAsync(pause, CancellationToken.None).ConfigureAwait(false);
            }

            return;
        }

        _metrics.FrameRequeued(frame.Topic, handBack.Count);
        foreach (int i in handBack)
        {
            await deliveries[i].AckAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }
}
