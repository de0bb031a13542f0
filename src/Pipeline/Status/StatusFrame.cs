using System.Buffers;
using SmsGateway.Model;
using SmsGateway.Serialization;

namespace SmsGateway.Status;

/// <summary>
/// The status events gathered for one <c>sms-status</c> transport message by <see cref="StatusPublisher"/>: their wire
/// format version 1, joined by commas in one pooled buffer, and the completion their callers wait on.
/// </summary>
/// <remarks>
/// <para>Each event's JSON is copied in as it is added, so no array is made per event; the transport message's array is
/// made once, by <see cref="ToMessage"/>, which then returns the buffer to <see cref="ArrayPool{T}.Shared"/>
/// (bench/README.md "Frames written in one pass"). Most frames of an idle or in-memory publisher carry one event, so
/// the first event's trace parent is kept in a field and the lists of a batch are made only when a second event joins
/// (bench/README.md "Fewer allocations per message").</para>
/// <para>Not thread-safe: the publisher adds under its lock and publishes a frame only after taking it out of reach.</para>
/// </remarks>
/// <param name="withDecoded">Whether <see cref="ToMessage"/> attaches the events themselves and leaves the bytes to be written
/// when first read (<see cref="Transport.OutgoingMessage.Encode"/>): in-memory transport only. Such a frame copies no JSON.</param>
internal sealed class StatusFrame(bool withDecoded = false)
{
    private StatusEvent? _first;
    private string? _firstTraceParent;
    private List<StatusEvent>? _events;
    private List<string?>? _traceParents;
    private byte[]? _json;
    private int _jsonLength;
    private int _bytes = StatusBatchJson.EnvelopeBytes;
    private Transport.OutgoingMessage? _message;

    /// <summary>Completes when the broker acked the message carrying the frame; faults with the publish's exception otherwise.</summary>
    /// <remarks>Continuations run asynchronously, so the publisher's loop never runs its callers' code.</remarks>
    public TaskCompletionSource Acked { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Events added so far.</summary>
    public int Count { get; private set; }

    /// <summary>The event added <paramref name="index"/>-th (0 = first), for the publisher's observers once the frame is acked.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is not below <see cref="Count"/>.</exception>
    public StatusEvent this[int index] => (uint)index < (uint)Count
        ? (index == 0 ? _first! : _events![index])
        : throw new ArgumentOutOfRangeException(nameof(index), index, "past the frame's events");

    /// <summary>True when an entry of <paramref name="entryBytes"/> (<see cref="StatusBatchJson.EntryBytes"/>) still fits; an empty frame takes any.</summary>
    public bool Fits(int entryBytes, int maxEvents, int maxBytes) =>
        Count == 0 || (Count < maxEvents && _bytes + entryBytes <= maxBytes);

    /// <summary>
    /// Adds one event with its version-1 JSON (copied) and the traceparent of its publish span (null without one). With
    /// <c>withDecoded</c> the JSON is not needed (pass an empty span and 0 bytes): the message's bytes are made only if read.
    /// </summary>
    /// <exception cref="InvalidOperationException">The frame's message was already made.</exception>
    public void Add(StatusEvent e, ReadOnlySpan<byte> payload, string? traceParent, int entryBytes)
    {
        if (_message is not null)
        {
            throw new InvalidOperationException("the frame's message was already made");
        }

        if (!withDecoded)
        {
            Append(payload);
        }

        if (Count == 0)
        {
            _first = e;
            _firstTraceParent = traceParent;
        }
        else
        {
            if (_traceParents is null)
            {
                _events = new List<StatusEvent>(4) { _first! };
                _traceParents = new List<string?>(4) { _firstTraceParent };
            }

            _events!.Add(e);
            _traceParents.Add(traceParent);
        }

        Count++;
        _bytes += entryBytes;
    }

    /// <summary>
    /// The transport message: one event goes in version 1, exactly as an uncoalesced publish (its de-duplication id and
    /// headers included); two or more go as one version-2 batch (<see cref="StatusBatchJson"/>). With <c>withDecoded</c>,
    /// its <see cref="Transport.OutgoingMessage.Decoded"/> is the <see cref="StatusBatch"/> a reader of the bytes would get
    /// (<see cref="PipelineJson.ReadStatusPayload"/>): the events themselves, and the trace parents of a batch; its
    /// <see cref="Transport.OutgoingMessage.Payload"/> is then empty, and <see cref="Transport.OutgoingMessage.Bytes"/> writes
    /// those bytes (<see cref="StatusBatchJson.Encode"/>). Made once: later calls give the same message.
    /// </summary>
    /// <exception cref="InvalidOperationException">The frame is empty.</exception>
    public Transport.OutgoingMessage ToMessage()
    {
        if (_message is { } made)
        {
            return made;
        }

        var first = _first ?? throw new InvalidOperationException("an empty status frame has no message");
        if (withDecoded)
        {
            // The consumer of this process takes the events; the bytes are written only if something reads them (a dead letter).
            var decoded = _traceParents is null ? new StatusBatch([first], null) : new StatusBatch(_events!, _traceParents);
            var message = _traceParents is null
                ? Transport.TransportCodec.ForStatus(first, [], _firstTraceParent)
                : Transport.TransportCodec.ForStatusBatch(first.UserId, [], FirstParent(_traceParents));
            _message = message with { Decoded = decoded, Encode = EncodeDecoded };
            return _message.Value;
        }

        var json = _json.AsSpan(0, _jsonLength);
        _message = _traceParents is null
            ? Transport.TransportCodec.ForStatus(first, json.ToArray(), _firstTraceParent)
            : Transport.TransportCodec.ForStatusBatch(first.UserId, StatusBatchJson.Write(json, _traceParents), FirstParent(_traceParents));
        ArrayPool<byte>.Shared.Return(_json!);
        _json = null;
        return _message.Value;
    }

    private static readonly Func<object, byte[]> EncodeDecoded = static decoded => StatusBatchJson.Encode((StatusBatch)decoded);

    // The first traced event's parent heads a batch's message (TransportCodec.ForStatusBatch).
    private static string? FirstParent(List<string?> traceParents)
    {
        foreach (var parent in traceParents)
        {
            if (parent is not null)
            {
                return parent;
            }
        }

        return null;
    }

    // Copies an event's JSON in after a comma, growing the pooled buffer when it is full.
    private void Append(ReadOnlySpan<byte> payload)
    {
        int needed = _jsonLength + (Count > 0 ? 1 : 0) + payload.Length;
        if (_json is null || needed > _json.Length)
        {
            Grow(needed);
        }

        if (Count > 0)
        {
            _json![_jsonLength++] = (byte)',';
        }

        payload.CopyTo(_json.AsSpan(_jsonLength));
        _jsonLength += payload.Length;
    }

    // A larger pooled buffer holding what was written so far; the old one goes back to the pool.
    private void Grow(int needed)
    {
        var larger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, _json is null ? 1024 : _json.Length * 2));
        if (_json is not null)
        {
            _json.AsSpan(0, _jsonLength).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_json);
        }

        _json = larger;
    }
}
