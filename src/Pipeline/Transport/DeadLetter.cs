namespace SmsGateway.Transport;

/// <summary>One message in a transport's dead-letter store, as listed by <see cref="IDeadLetterStore.ListAsync"/>.</summary>
/// <param name="Id">The dead letter's id in the store: NATS the <c>DEAD</c> stream sequence, Kafka <c>partition:offset</c> of the dead-letter topic, in-memory a sequence.</param>
/// <param name="Topic">The topic it was consumed from and is replayed to.</param>
/// <param name="Reason">Why it was dead-lettered.</param>
/// <param name="At">When it was dead-lettered (UTC).</param>
/// <param name="Size">Payload size in bytes.</param>
/// <param name="Key">The publisher's key (the user id).</param>
public sealed record DeadLetter(string Id, string Topic, string Reason, DateTimeOffset At, int Size, string Key);

/// <summary>What <see cref="IDeadLetterStore.ReplayAsync"/> did.</summary>
/// <param name="Replayed">Ids republished to their topic and removed from the store.</param>
/// <param name="NotFound">Requested ids the store does not hold (already replayed, expired, or unknown).</param>
public sealed record DeadLetterReplay(IReadOnlyList<string> Replayed, IReadOnlyList<string> NotFound);
