using NATS.Client.Core;
using NATS.Client.JetStream;
using SmsGateway.Transport;

namespace SmsGateway.Transports.Nats;

/// <summary>
/// A pulled JetStream message (NATS.Net) as an <see cref="IDelivery"/>; the first settle call wins (a failed dead-letter
/// call settles nothing).
/// </summary>
/// <remarks>
/// The payload is a buffer rented from the array pool (NATS.Net's <see cref="NatsMemoryOwner{T}"/>), not an array of its
/// own per message. It goes back to the pool once the ack or nak was sent, or the message was dead-lettered: the
/// <see cref="IDelivery.Payload"/> contract ("valid until the delivery is settled"). A read of <see cref="Payload"/> after
/// that throws <see cref="ObjectDisposedException"/> rather than show bytes of whichever message rents the buffer next.
/// A delivery never settled (the host stopped) leaves its buffer to the GC.
/// </remarks>
internal sealed class NatsDelivery(NatsTransport transport, string topic, INatsJSMsg<NatsMemoryOwner<byte>> msg, int deliveryCount) : IDelivery
{
    private static readonly IReadOnlyDictionary<string, string> NoHeaders = new Dictionary<string, string>();
    private NatsMemoryOwner<byte> _payload = msg.Data; // released once, by the settle call that wins
    private bool _released;
    private int _settled;

    public string Topic { get; } = topic;

    public string Key => msg.Headers is { } h && h.TryGetValue(NatsTransport.KeyHeader, out var key) ? key.ToString() : string.Empty;

    public ReadOnlyMemory<byte> Payload => Volatile.Read(ref _released)
        ? throw new ObjectDisposedException(nameof(NatsDelivery), "the payload was read after the delivery was settled")
        : _payload.Memory;

    public IReadOnlyDictionary<string, string> Headers => field ??= HeadersOf(msg.Headers);

    public int DeliveryCount { get; } = deliveryCount;

    public async ValueTask AckAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _settled, 1) != 0)
        {
            return;
        }

        try
        {
            await Settle(msg.AckAsync(cancellationToken: cancellationToken)).ConfigureAwait(false);
        }
        finally
        {
            Release(); // settled either way: a failed ack is not retried here, the broker redelivers after the ack wait
        }
    }

    public async ValueTask NakAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _settled, 1) != 0)
        {
            return;
        }

        var opts = delay > TimeSpan.Zero ? new AckOpts { NakDelay = delay } : default;
        try
        {
            await Settle(msg.NakAsync(opts, cancellationToken)).ConfigureAwait(false);
        }
        finally
        {
            Release();
        }
    }

    public async ValueTask DeadLetterAsync(string reason, CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _settled, 1) != 0)
        {
            return;
        }

        try
        {
            await transport.DeadLetterAsync(Topic, msg, _payload.Memory, reason, (ulong)DeliveryCount, cancellationToken).ConfigureAwait(false);
            Release();
        }
        catch (TransportException)
        {
            Volatile.Write(ref _settled, 0); // left unsettled: the caller may nak it
            throw;
        }
    }

    // Called once, by the settle call that won: the payload's buffer goes back to the pool.
    private void Release()
    {
        Volatile.Write(ref _released, true);
        _payload.Dispose();
    }

    private static IReadOnlyDictionary<string, string> HeadersOf(NatsHeaders? headers)
    {
        if (headers is null || headers.Count == 0)
        {
            return NoHeaders;
        }

        // NatsHeaders holds StringValues; the transport contract is one string per name (the last one wins when repeated).
        var result = new Dictionary<string, string>(headers.Count, StringComparer.Ordinal);
        foreach (var (k, v) in headers)
        {
            result[k] = v.Count > 1 ? v[^1]! : v.ToString();
        }

        return result;
    }

    private static async ValueTask Settle(ValueTask send)
    {
        try
        {
            await send.ConfigureAwait(false);
        }
        catch (NatsException ex)
        {
            throw new TransportException($"ack/nak not sent: {ex.Message}", ex);
        }
        catch (ObjectDisposedException ex)
        {
            // NATS.Net's command writer is gone (seen when the transport is disposed while a consumer still settles, in a
            // stop under load): the ack/nak did not go out, so the message comes back after its ack wait like any other.
            throw new TransportException("ack/nak not sent: the connection it came on is gone", ex);
        }
    }
}
