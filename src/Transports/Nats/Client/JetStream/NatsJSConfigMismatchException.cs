namespace SmsGateway.Transports.Nats.Client.JetStream;

/// <summary>
/// The server accepted a stream or consumer create/update but stored a different value than requested (nats-server
/// silently ignores fields it does not know and silently upserts consumers).
/// </summary>
public sealed class NatsJSConfigMismatchException : NatsException
{
    /// <summary>Creates the exception.</summary>
    public NatsJSConfigMismatchException(string entity, string field, string requested, string actual)
        : base($"{entity}: requested {field}={requested} but the server stored {actual}")
    {
        Field = field;
        Requested = requested;
        Actual = actual;
    }

    /// <summary>JSON field name.</summary>
    public string Field { get; }

    /// <summary>Requested value.</summary>
    public string Requested { get; }

    /// <summary>Stored value.</summary>
    public string Actual { get; }
}
