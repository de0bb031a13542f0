using NATS.Client.Core;
using NATS.Client.JetStream;
using SmsGateway.Transport;

namespace SmsGateway.Transports.Nats;

/// <summary>A pulled JetStream message (NATS.Net) as an <see cref="IDelivery"/>; the first settle call wins (a failed dead-letter call settles nothing).</summary>
internal sealed class NatsDelivery(NatsTransport transport, string topic, INatsJSMsg<byte[]> msg, int deliveryCount) : IDelivery
{
    private static readonly IReadOnlyDictionary<string, string> NoHeaders = new Dictionary<string, string>();
    private int _settled;

    public string Topic { get; } = topic;

    public string Key => msg.Headers is { } h && h.TryGetValue(NatsTransport.KeyHeader, out var key) ? key.ToString() : string.Empty;

    public ReadOnlyMemory<byte> Payload => msg.Data;

    public IReadOnlyDictionary<string, string> Headers => field ??= HeadersOf(msg.Headers);

    public int DeliveryCount { get; } = deliveryCount;

    public async ValueTask AckAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _settled, 1) != 0)
        {
            return;
        }

        await Settle(msg.AckAsync(cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    public async ValueTask NakAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _settled, 1) != 0)
        {
            return;
        }

        var opts = delay > TimeSpan.Zero ? new AckOpts { NakDelay = delay } : default;
        await Settle(msg.NakAsync(opts, cancellationToken)).ConfigureAwait(false);
    }

    public async ValueTask DeadLetterAsync(string reason, CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _settled, 1) != 0)
        {
            return;
        }

        try
        {
            await transport.DeadLetterAsync(Topic, msg, reason, (ulong)DeliveryCount, cancellationToken).ConfigureAwait(false);
        }
        catch (TransportException)
        {
            Volatile.Write(ref _settled, 0); // left unsettled: the caller may nak it
            throw;
        }
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
