namespace SmsGateway.Dispatch;

/// <summary>The graceful stop out of time (README "Durability", embedded profile): hand queued work back instead of sending it.</summary>
internal sealed partial class DispatchStage
{
    /// <summary>
    /// When set before <see cref="StopAsync"/>, the lanes' queued messages are not sent: their deliveries are nak'ed back to
    /// the transport at once (the pipeline settles them as failed), and the stop waits only for the sends in progress.
    /// </summary>
    public bool AbandonQueuedOnStop { get; set; }

    // Called by StopAsync once the consumers have stopped (nothing enqueues any more) and before the lanes are disposed.
    private async Task AbandonQueuedAsync()
    {
        if (!AbandonQueuedOnStop)
        {
            return;
        }

        foreach (var lane in _lanes.Values)
        {
            foreach (var work in lane.TakeQueued())
            {
                try
                {
                    await work.Delivery.NakAsync(TimeSpan.Zero, CancellationToken.None).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is Transport.TransportException or OperationCanceledException)
                {
                    // The broker delivers it again after the ack wait (a durable one) or it is lost with the process (in-memory; counted).
                    PipelineLog.DispatchSideEffectFailed(_logger, ex, work.Message.Id, work.Message.Attempt);
                }
            }
        }
    }
}
