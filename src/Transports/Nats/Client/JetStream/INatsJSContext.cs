using SmsGateway.Transports.Nats.Client.JetStream.Models;

namespace SmsGateway.Transports.Nats.Client.JetStream;

/// <summary>
/// JetStream over a <see cref="NatsConnection"/> (shaped like NATS.Client.JetStream's <c>INatsJSContext</c>): stream and
/// consumer management, publish with broker ack, pull consumers. API: https://docs.nats.io/reference/reference-protocols/nats_api_reference.
/// </summary>
/// <remarks>Thread-safe. Management calls verify the configuration the server returns against the one requested.</remarks>
public interface INatsJSContext
{
    /// <summary>Creates a stream, or returns it when one with the same configuration exists.</summary>
    /// <exception cref="NatsJSApiException">Refused (e.g. 10058: exists with a different configuration).</exception>
    /// <exception cref="NatsJSConfigMismatchException">The server stored a different configuration.</exception>
    ValueTask<StreamInfo> CreateStreamAsync(StreamConfig config, CancellationToken cancellationToken);

    /// <summary>Updates a stream's configuration.</summary>
    /// <exception cref="NatsJSApiException">Refused (e.g. retention cannot change).</exception>
    /// <exception cref="NatsJSConfigMismatchException">The server stored a different configuration.</exception>
    ValueTask<StreamInfo> UpdateStreamAsync(StreamConfig config, CancellationToken cancellationToken);

    /// <summary>Reads a stream.</summary>
    /// <exception cref="NatsJSApiException">Not found (404/10059).</exception>
    ValueTask<StreamInfo> GetStreamAsync(string stream, CancellationToken cancellationToken);

    /// <summary>Deletes a stream and its messages; true when it existed.</summary>
    ValueTask<bool> DeleteStreamAsync(string stream, CancellationToken cancellationToken);

    /// <summary>
    /// Creates a durable pull consumer, or updates it (nats-server upserts silently); the returned configuration is
    /// checked field by field against <paramref name="config"/>.
    /// </summary>
    /// <exception cref="NatsJSApiException">Refused.</exception>
    /// <exception cref="NatsJSConfigMismatchException">The server stored a different configuration.</exception>
    ValueTask<NatsJSConsumer> CreateOrUpdateConsumerAsync(string stream, ConsumerConfig config, CancellationToken cancellationToken);

    /// <summary>Reads a consumer.</summary>
    /// <exception cref="NatsJSApiException">Not found (404/10014).</exception>
    ValueTask<ConsumerInfo> GetConsumerInfoAsync(string stream, string consumer, CancellationToken cancellationToken);

    /// <summary>Deletes a consumer; true when it existed.</summary>
    ValueTask<bool> DeleteConsumerAsync(string stream, string consumer, CancellationToken cancellationToken);

    /// <summary>
    /// Publishes and waits for the broker's ack (stored or duplicate). <paramref name="msgId"/> goes in <c>Nats-Msg-Id</c>
    /// for de-duplication within the stream's duplicate window.
    /// </summary>
    /// <returns>The ack; call <see cref="PubAckResponse.EnsureSuccess"/> to turn an error into an exception.</returns>
    /// <exception cref="NatsNoRespondersException">No stream captures <paramref name="subject"/>.</exception>
    /// <exception cref="NatsTimeoutException">No ack within <paramref name="timeout"/>.</exception>
    ValueTask<PubAckResponse> PublishAsync(string subject, ReadOnlyMemory<byte> data, NatsHeaders? headers, string? msgId, TimeSpan? timeout, CancellationToken cancellationToken);
}
