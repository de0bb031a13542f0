namespace SmsGateway.Transports.Nats.Client;

/// <summary>A message (headers + payload) exceeds the server's <c>max_payload</c> from INFO; nothing was sent.</summary>
public sealed class NatsPayloadTooLargeException : NatsException
{
    /// <summary>Creates the exception.</summary>
    public NatsPayloadTooLargeException(long size, long maxPayload)
        : base($"message of {size} bytes exceeds the server's max_payload of {maxPayload} bytes")
    {
        Size = size;
        MaxPayload = maxPayload;
    }

    /// <summary>Bytes of headers + payload.</summary>
    public long Size { get; }

    /// <summary>The server's limit in bytes.</summary>
    public long MaxPayload { get; }
}
