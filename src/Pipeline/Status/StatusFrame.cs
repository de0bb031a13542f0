using SmsGateway.Model;
using SmsGateway.Serialization;

namespace SmsGateway.Status;

/// <summary>
/// The status events gathered for one <c>sms-status</c> transport message by <see cref="StatusPublisher"/>, each already
/// serialized in wire format version 1, and the completion its callers wait on.
/// </summary>
/// <remarks>
/// <para>Most frames of an idle or in-memory publisher carry one event, so the first event is kept in fields and the
/// lists of a batch are made only when a second event joins (bench/README.md "Fewer allocations per message").</para>
/// <para>Not thread-safe: the publisher adds under its lock and publishes a frame only after taking it out of reach.</para>
/// </remarks>
/// <param name="withDecoded">Whether <see cref="ToMessage"/> attaches the events themselves (in-memory transport only).</param>
internal sealed class StatusFrame(bool withDecoded = false)
{
    private StatusEvent? _first;
    private byte[]? _firstPayload;
    private string? _firstTraceParent;
    private List<StatusEvent>? _events;
    private List<byte[]>? _payloads;
    private List<string?>? _traceParents;
    private int _bytes = StatusBatchJson.EnvelopeBytes;

    /// <summary>Completes when the broker acked the message carrying the frame; faults with the publish's exception otherwise.</summary>
    /// <remarks>Continuations run asynchronously, so the publisher's loop never runs its callers' code.</remarks>
    public TaskCompletionSource Acked { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Events added so far.</summary>
    public int Count { get; private set; }

    /// <summary>True when an entry of <paramref name="entryBytes"/> (<see cref="StatusBatchJson.EntryBytes"/>) still fits; an empty frame takes any.</summary>
    public bool Fits(int entryBytes, int maxEvents, int maxBytes) =>
        Count == 0 || (Count < maxEvents && _bytes + entryBytes <= maxBytes);

    /// <summary>Adds one event with its version-1 JSON and the traceparent of its publish span (null without one).</summary>
    public void Add(StatusEvent e, byte[] payload, string? traceParent, int entryBytes)
    {
        if (Count == 0)
        {
            _first = e;
            _firstPayload = payload;
            _firstTraceParent = traceParent;
        }
        else
        {
            if (_payloads is null)
            {
                _events = withDecoded ? new List<StatusEvent>(4) { _first! } : null;
                _payloads = new List<byte[]>(4) { _firstPayload! };
                _traceParents = new List<string?>(4) { _firstTraceParent };
            }

            _events?.Add(e);
            _payloads.Add(payload);
            _traceParents!.Add(traceParent);
        }

        Count++;
        _bytes += entryBytes;
    }

    /// <summary>
    /// The transport message: one event goes in version 1, exactly as an uncoalesced publish (its de-duplication id and
    /// headers included); two or more go as one version-2 batch (<see cref="StatusBatchJson"/>). With <c>withDecoded</c>,
    /// its <see cref="Transport.OutgoingMessage.Decoded"/> is the <see cref="StatusBatch"/> a reader of the bytes would get
    /// (<see cref="PipelineJson.ReadStatusPayload"/>): the events themselves, and the trace parents of a batch.
    /// </summary>
    /// <exception cref="InvalidOperationException">The frame is empty.</exception>
    public Transport.OutgoingMessage ToMessage()
    {
        var first = _first ?? throw new InvalidOperationException("an empty status frame has no message");
        if (_payloads is null)
        {
            var lone = Transport.TransportCodec.ForStatus(first, _firstPayload!, _firstTraceParent);
            return withDecoded ? lone with { Decoded = new StatusBatch([first], null) } : lone;
        }

        string? firstParent = null;
        foreach (var parent in _traceParents!)
        {
            if (parent is not null)
            {
                firstParent = parent;
                break;
            }
        }

        var batch = Transport.TransportCodec.ForStatusBatch(first.UserId, StatusBatchJson.Write(_payloads, _traceParents), firstParent);
        return _events is null ? batch : batch with { Decoded = new StatusBatch(_events, _traceParents) };
    }
}
