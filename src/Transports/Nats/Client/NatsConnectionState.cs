namespace SmsGateway.Transports.Nats.Client;

/// <summary>State of a <see cref="NatsConnection"/>.</summary>
public enum NatsConnectionState
{
    /// <summary>Not connected yet.</summary>
    Closed,

    /// <summary>First connect in progress.</summary>
    Connecting,

    /// <summary>Connected: commands flow.</summary>
    Open,

    /// <summary>Connection lost; re-establishing with backoff. Writers wait.</summary>
    Reconnecting,

    /// <summary>Disposed or gave up reconnecting.</summary>
    Disposed,
}
