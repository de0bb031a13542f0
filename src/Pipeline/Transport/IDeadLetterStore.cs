namespace SmsGateway.Transport;

/// <summary>
/// Implemented by an <see cref="IMessageTransport"/> whose deliveries can be dead-lettered
/// (<see cref="IDelivery.DeadLetterAsync"/>): lists what its dead-letter store holds and replays it. Read by the host's
/// admin endpoints <c>GET /admin/dead-letters</c> and <c>POST /admin/dead-letters/replay</c> (README "Durability").
/// </summary>
/// <remarks>Thread-safe. Both calls may go to the broker and are meant for an operator, not for the hot path.</remarks>
public interface IDeadLetterStore
{
    /// <summary>The oldest dead letters, oldest first.</summary>
    /// <param name="topic">Only those of this topic (one of <see cref="Model.Topics"/>); null for all.</param>
    /// <param name="limit">Most entries returned, 1..1000.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="TransportException">The broker could not be read.</exception>
    ValueTask<IReadOnlyList<DeadLetter>> ListAsync(string? topic, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Republishes dead letters to the topic they came from (payload, key and headers as consumed, without the
    /// <see cref="DeadLetterHeaders"/>), then removes them from the store. A replayed message goes through its consumer
    /// as a new delivery: if it is still undecodable it is dead-lettered again.
    /// </summary>
    /// <param name="topic">Only those of this topic; null for any.</param>
    /// <param name="ids">Only these ids; null or empty for every dead letter of <paramref name="topic"/> (at most 10,000 per call).</param>
    /// <param name="cancellationToken">Cancels the call; what was replayed so far stays replayed.</param>
    /// <exception cref="TransportException">The broker could not be read or written.</exception>
    ValueTask<DeadLetterReplay> ReplayAsync(string? topic, IReadOnlyCollection<string>? ids, CancellationToken cancellationToken);
}
