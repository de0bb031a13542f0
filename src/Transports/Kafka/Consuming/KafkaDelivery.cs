using SmsGateway.Transport;

namespace SmsGateway.Transports.Kafka.Consuming;

/// <summary>One delivery of an <see cref="InFlightMessage"/>; the first settle call wins, later ones are ignored.</summary>
internal sealed class KafkaDelivery : IDelivery
{
    private readonly KafkaSubscription _owner;
    private readonly InFlightMessage _message;
    private readonly int _generation;
    private int _settled;

    public KafkaDelivery(KafkaSubscription owner, InFlightMessage message, int generation, int deliveryCount)
    {
        _owner = owner;
        _message = message;
        _generation = generation;
        DeliveryCount = deliveryCount;
    }

    public string Topic => _owner.Topic;

    public string Key => _message.Key;

    public ReadOnlyMemory<byte> Payload => _message.Payload;

    public IReadOnlyDictionary<string, string> Headers => _message.Headers;

    public int DeliveryCount { get; }

    /// <summary>False when the partition was revoked or the message acknowledged through another delivery: drop it.</summary>
    public bool IsCurrent
    {
        get
        {
            lock (_message.Partition.Gate)
            {
                return !_message.Partition.Revoked && _message.State != InFlightState.Acked && _message.Generation == _generation;
            }
        }
    }

    public ValueTask AckAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _settled, 1) == 0)
        {
            _owner.Ack(_message);
        }

        return ValueTask.CompletedTask;
    }

    public async ValueTask DeadLetterAsync(string reason, CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _settled, 1) != 0)
        {
            return;
        }

        try
        {
            await _owner.DeadLetterAsync(_message, DeliveryCount, reason, cancellationToken).ConfigureAwait(false);
        }
        catch (TransportException)
        {
            Volatile.Write(ref _settled, 0); // left unsettled: the caller may nak it
            throw;
        }

        _owner.Ack(_message);
    }

    public ValueTask NakAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _settled, 1) == 0)
        {
            _owner.Nak(_message, _generation, delay < TimeSpan.Zero ? TimeSpan.Zero : delay);
        }

        return ValueTask.CompletedTask;
    }
}
