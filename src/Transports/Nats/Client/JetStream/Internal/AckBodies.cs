namespace SmsGateway.Transports.Nats.Client.JetStream.Internal;

/// <summary>Ack bodies, allocated once (https://docs.nats.io/using-nats/developer/develop_jetstream/consumers#acknowledgement-models).</summary>
internal static class AckBodies
{
    public static readonly byte[] Ack = "+ACK"u8.ToArray();
    public static readonly byte[] Nak = "-NAK"u8.ToArray();
    public static readonly byte[] Term = "+TERM"u8.ToArray();
    public static readonly byte[] Progress = "+WPI"u8.ToArray();
}
