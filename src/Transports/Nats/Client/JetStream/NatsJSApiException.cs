using SmsGateway.Transports.Nats.Client.JetStream.Models;

namespace SmsGateway.Transports.Nats.Client.JetStream;

/// <summary>The JetStream API answered with an error.</summary>
public sealed class NatsJSApiException : NatsException
{
    /// <summary>Creates the exception.</summary>
    public NatsJSApiException(ApiError error)
        : base($"JetStream API error {error.Code}/{error.ErrCode}: {error.Description}") => Error = error;

    /// <summary>The server's error.</summary>
    public ApiError Error { get; }
}
