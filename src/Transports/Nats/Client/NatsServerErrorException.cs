namespace SmsGateway.Transports.Nats.Client;

/// <summary>The server sent <c>-ERR '…'</c> (https://docs.nats.io/reference/reference-protocols/nats-protocol#-err).</summary>
public sealed class NatsServerErrorException : NatsException
{
    /// <summary>Creates the exception with the server's text.</summary>
    public NatsServerErrorException(string error) : base($"server error: {error}") => Error = error;

    /// <summary>The server's error text without quotes, e.g. <c>Maximum Payload Violation</c>.</summary>
    public string Error { get; }
}
