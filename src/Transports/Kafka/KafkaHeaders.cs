namespace SmsGateway.Transports.Kafka;

/// <summary>Kafka record headers written by <see cref="KafkaTransport"/> besides those the publisher passes through.</summary>
/// <remarks>Header values are UTF-8 strings on the wire; <see cref="SmsGateway.Transport.IDelivery.Headers"/> returns every header.</remarks>
public static class KafkaHeaders
{
    /// <summary>The publisher's message id (<see cref="SmsGateway.Transport.OutgoingMessage.MessageId"/>), when it gave one.</summary>
    public const string MessageId = "sms-message-id";
}
