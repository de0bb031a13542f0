using SmsGateway.Model;
using SmsGateway.Serialization;

namespace SmsGateway.Status;

/// <summary>
/// The status events gathered for one <c>sms-status</c> transport message by <see cref="StatusPublisher"/>, each already
/// serialized in wire format version 1, and the completion its callers wait on.
/// </summary>
/// <remarks>Not thread-safe: the publisher adds under its lock and publishes a frame only after taking it out of reach.</remarks>
internal sealed class StatusFrame
{
    private readonly List<StatusEvent> _events = new(4);
    private readonly List<byte[]> _payloads = new(4);
    private readonly List<string?> _traceParents = new(4);
    private int _bytes = StatusBatchJson.EnvelopeBytes;

    /// <summary>Completes when the broker acked the message carrying the frame; faults with the publish's exception otherwise.</summary>
    /// <remarks>Continuations run asynchronously, so the publisher's loop never runs its callers' code.</remarks>
    public TaskCompletionSource Acked { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The events, in the order added.</summary>
    public IReadOnlyList<StatusEvent> Events => _events;

    /// <summary>True when an entry of <paramref name="entryBytes"/> (<see cref="StatusBatchJson.EntryBytes"/>) still fits; an empty frame takes any.</summary>
    public bool Fits(int entryBytes, int maxEvents, int maxBytes) =>
        _events.Count == 0 || (_events.Count < maxEvents && _bytes + entryBytes <= maxBytes);

    /// <summary>Adds one event with its version-1 JSON and the traceparent of its publish span (null without one).</summary>
    public void Add(StatusEvent e, byte[] payload, string? traceParent, int entryBytes)
    {
        _events.Add(e);
        _payloads.Add(payload);
        _traceParents.Add(traceParent);
        _bytes += entryBytes;
    }

    /// <summary>
    /// The transport message: one event goes in version 1, exactly as an uncoalesced publish (its de-duplication id and
    /// headers included); two or more go as one version-2 batch (<see cref="StatusBatchJson"/>).
    /// </summary>
    public Transport.OutgoingMessage ToMessage()
    {
        if (_events.Count == 1)
        {
            return Transport.TransportCodec.ForStatus(_events[0], _payloads[0], _traceParents[0]);
        }

        string? first = null;
        foreach (var parent in _traceParents)
        {
            if (parent is not null)
            {
                first = parent;
                break;
            }
        }

        return Transport.TransportCodec.ForStatusBatch(_events[0].UserId, StatusBatchJson.Write(_payloads, _traceParents), first);
    }
}
