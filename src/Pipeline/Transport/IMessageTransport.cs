namespace SmsGateway.Transport;

/// <summary>
/// A message broker seen by the pipeline: durable topics, broker-acknowledged publish, competing consumers with
/// explicit ack/nak (DESIGN.md "Transport"). Implementations: in-memory (this library), NATS JetStream, Kafka.
/// </summary>
/// <remarks>Thread-safe: publish and subscribe may be called from any thread concurrently.</remarks>
public interface IMessageTransport : IAsyncDisposable
{
    /// <summary>
    /// Publishes one message and completes only once the broker has stored it.
    /// </summary>
    /// <param name="topic">One of <see cref="Model.Topics"/>.</param>
    /// <param name="message">Key, payload and headers.</param>
    /// <param name="cancellationToken">
    /// Cancels the wait: cancelled during the call, the message may still have been stored; already cancelled when the
    /// call starts, nothing is handed to the broker. The accept stage relies on the latter: a request whose deadline ran out
    /// before its publish is answered "nothing was charged" (docs/architecture.md "Money and locks").
    /// </param>
    /// <exception cref="TransportException">The broker refused the message or did not confirm it in time.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled, before the call (nothing stored) or during it.</exception>
    ValueTask PublishAsync(string topic, OutgoingMessage message, CancellationToken cancellationToken);

    /// <summary>
    /// Joins the consumer group <paramref name="consumerGroup"/> on <paramref name="topic"/>. Members of one group compete:
    /// each message goes to one member at a time, and is delivered again (at least once) until it is acked.
    /// </summary>
    /// <param name="topic">One of <see cref="Model.Topics"/>.</param>
    /// <param name="consumerGroup">Durable group name; members of the same group share the work.</param>
    /// <param name="options">Buffering and redelivery settings.</param>
    /// <param name="cancellationToken">Cancels the subscribe call itself.</param>
    /// <exception cref="TransportException">The subscription could not be created.</exception>
    ValueTask<IMessageSubscription> SubscribeAsync(string topic, string consumerGroup, SubscriptionOptions options, CancellationToken cancellationToken);
}
