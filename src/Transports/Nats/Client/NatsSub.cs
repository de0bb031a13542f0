using System.Threading.Channels;
using SmsGateway.Transports.Nats.Client.Internal;

namespace SmsGateway.Transports.Nats.Client;

/// <summary>
/// A core subscription (SUB, optionally in a queue group). Messages arrive on a bounded <see cref="Msgs"/> channel; when
/// it is full, new messages are dropped and counted in <see cref="DroppedCount"/> so the read loop never blocks.
/// </summary>
/// <remarks>Survives reconnects (the SUB is re-sent). Dispose to UNSUB; the channel then completes.</remarks>
public sealed class NatsSub : IAsyncDisposable
{
    private readonly NatsConnection _connection;
    private readonly Channel<NatsMsg> _channel;
    private readonly Inner _inner;
    private long _dropped;

    internal NatsSub(NatsConnection connection, string subject, string? queueGroup, long sid, int capacity)
    {
        _connection = connection;
        _channel = Channel.CreateBounded<NatsMsg>(new BoundedChannelOptions(capacity)
        {
            FullMode = BoundedChannelFullMode.Wait, // TryWrite fails when full; we count the drop ourselves
            SingleWriter = true,
        });
        _inner = new Inner(this, subject, queueGroup, sid);
    }

    /// <summary>Subject (may contain <c>*</c> / <c>&gt;</c> wildcards).</summary>
    public string Subject => _inner.Subject;

    /// <summary>Queue group, or null.</summary>
    public string? QueueGroup => _inner.QueueGroup;

    /// <summary>Received messages.</summary>
    public ChannelReader<NatsMsg> Msgs => _channel.Reader;

    /// <summary>Messages dropped because <see cref="Msgs"/> was full.</summary>
    public long DroppedCount => Interlocked.Read(ref _dropped);

    internal NatsSubBase Base => _inner;

    /// <summary>Sends UNSUB and completes <see cref="Msgs"/>.</summary>
    public ValueTask UnsubscribeAsync(CancellationToken cancellationToken) => DisposeAsync();

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _connection.RemoveSubAsync(_inner).ConfigureAwait(false);
        _channel.Writer.TryComplete();
    }

    private sealed class Inner(NatsSub owner, string subject, string? queueGroup, long sid) : NatsSubBase(subject, queueGroup, sid)
    {
        public override void OnMessage(in NatsMsg msg)
        {
            if (!owner._channel.Writer.TryWrite(msg))
            {
                Interlocked.Increment(ref owner._dropped);
            }
        }

        public override void OnClosed(Exception? error) => owner._channel.Writer.TryComplete(error);
    }
}
