namespace SmsGateway.Transport;

/// <summary>
/// One delivery of a version-2 message frame (<see cref="Serialization.MessageFrameJson"/>) seen as one
/// <see cref="IDelivery"/> per message, so that dispatch settles each message as if it had come alone (docs/architecture.md,
/// "Message frames"). The frame itself is settled once, when its last item is: acked when every item was acked; nak'ed
/// with the longest delay any item asked for when one was nak'ed. A frame delivered again repeats every message, and the
/// ledger's begin-send step (README "Durability") drops the ones already sent, so a nak never sends a message twice.
/// </summary>
/// <remarks>Thread-safe: items are settled from any thread; a second settle call on one item is ignored.</remarks>
internal sealed class FramedDelivery
{
    private readonly IDelivery _frame;
    private int _open;
    private long _longestNakTicks = -1; // -1: no item nak'ed

    private FramedDelivery(IDelivery frame, int count)
    {
        _frame = frame;
        _open = count;
    }

    /// <summary>Splits <paramref name="frame"/> into one delivery per byte range of <paramref name="items"/> (its messages, in order).</summary>
    /// <exception cref="ArgumentException"><paramref name="items"/> is empty.</exception>
    public static IDelivery[] Split(IDelivery frame, IReadOnlyList<Range> items)
    {
        ArgumentOutOfRangeException.ThrowIfZero(items.Count, nameof(items));
        var owner = new FramedDelivery(frame, items.Count);
        var deliveries = new IDelivery[items.Count];
        for (int i = 0; i < deliveries.Length; i++)
        {
            deliveries[i] = new Item(owner, items[i], null);
        }

        return deliveries;
    }

    /// <summary>
    /// Splits a frame whose messages were handed over in this process (<see cref="TransportCodec.DecodedMessages"/>) into one
    /// delivery per message, in order. An item's <see cref="IDelivery.Payload"/> is then its message's version-1 object,
    /// written when read (a new array per read): the same bytes as its slice of the frame.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="messages"/> is empty.</exception>
    public static IDelivery[] Split(IDelivery frame, IReadOnlyList<Model.SmsMessage> messages)
    {
        ArgumentOutOfRangeException.ThrowIfZero(messages.Count, nameof(messages));
        var owner = new FramedDelivery(frame, messages.Count);
        var deliveries = new IDelivery[messages.Count];
        for (int i = 0; i < deliveries.Length; i++)
        {
            deliveries[i] = new Item(owner, default, messages[i]);
        }

        return deliveries;
    }

    private ValueTask SettleItemAsync(TimeSpan? nak, CancellationToken cancellationToken)
    {
        if (nak is { } delay)
        {
            long ticks = Math.Max(delay.Ticks, 0), seen;
            while (ticks > (seen = Volatile.Read(ref _longestNakTicks)) && Interlocked.CompareExchange(ref _longestNakTicks, ticks, seen) != seen)
            {
            }
        }

        if (Interlocked.Decrement(ref _open) != 0)
        {
            return default;
        }

        long longest = Volatile.Read(ref _longestNakTicks);
        return longest < 0 ? _frame.AckAsync(cancellationToken) : _frame.NakAsync(TimeSpan.FromTicks(longest), cancellationToken);
    }

    // message: the handed-over message whose bytes are written when read; null for a slice (bytes) of the frame's payload.
    private sealed class Item(FramedDelivery owner, Range bytes, Model.SmsMessage? message) : IDelivery
    {
        private int _settled;

        public string Topic => owner._frame.Topic;

        public string Key => owner._frame.Key;

        public ReadOnlyMemory<byte> Payload => message is null ? owner._frame.Payload[bytes] : Serialization.PipelineJson.Serialize(message);

        public IReadOnlyDictionary<string, string> Headers => owner._frame.Headers;

        public int DeliveryCount => owner._frame.DeliveryCount;

        // The last item's ack or nak settles the frame; a broker error then reaches that caller, who naks (ignored here:
        // the item is settled) and the frame comes back after the ack wait.
        public ValueTask AckAsync(CancellationToken cancellationToken) =>
            Interlocked.Exchange(ref _settled, 1) == 0 ? owner.SettleItemAsync(null, cancellationToken) : default;

        public ValueTask NakAsync(TimeSpan delay, CancellationToken cancellationToken) =>
            Interlocked.Exchange(ref _settled, 1) == 0 ? owner.SettleItemAsync(delay, cancellationToken) : default;

        // Only a whole frame is dead-lettered (an undecodable one); a decoded message inside it never is.
        public ValueTask DeadLetterAsync(string reason, CancellationToken cancellationToken) =>
            ValueTask.FromException(new TransportException("a message inside a frame cannot be dead-lettered alone; nak it"));
    }
}
