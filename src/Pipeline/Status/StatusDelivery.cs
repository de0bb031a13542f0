using System.Diagnostics;
using SmsGateway.Diagnostics;
using SmsGateway.Serialization;
using SmsGateway.Transport;

namespace SmsGateway.Status;

/// <summary>
/// One <c>sms-status</c> delivery and the events it carries (one in wire format version 1, up to
/// <see cref="PipelineOptions.StatusPublishMaxEvents"/> in version 2), which may be written in different store batches of
/// <see cref="StatusStage"/>. Acked once the last of its events is stored; nak'ed once, on the first failed write of any
/// of them (the whole message comes back; the store is idempotent).
/// </summary>
/// <remarks>Thread-safe: <see cref="Stored"/> and <see cref="TryFail"/> may race; exactly one settle call wins.</remarks>
internal sealed class StatusDelivery(IDelivery delivery, StatusBatch batch)
{
    private int _unstored = batch.Events.Count;
    private int _settled;

    /// <summary>The transport's delivery.</summary>
    public IDelivery Delivery => delivery;

    /// <summary>The decoded events with their trace parents.</summary>
    public StatusBatch Batch => batch;

    /// <summary>Counts one event stored; true when it was the last one and this call should ack the delivery.</summary>
    public bool Stored() => Interlocked.Decrement(ref _unstored) == 0 && Interlocked.Exchange(ref _settled, 1) == 0;

    /// <summary>True for the first caller after a failed write: it naks the delivery; later acks and naks are skipped.</summary>
    public bool TryFail() => Interlocked.Exchange(ref _settled, 1) == 0;

    /// <summary>The publish span context of event <paramref name="index"/>: its own trace parent in a batch, else the delivery's header.</summary>
    public ActivityContext TraceOf(int index) =>
        batch.TraceParents is { } parents && parents[index] is { } parent && ActivityContext.TryParse(parent, null, isRemote: true, out var context)
            ? context
            : PipelineTelemetry.ParentOf(delivery);
}
