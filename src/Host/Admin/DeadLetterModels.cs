namespace SmsGateway.Host.Admin;

/// <summary>One entry of <c>GET /admin/dead-letters</c>.</summary>
/// <param name="Id">Id in the transport's dead-letter store (NATS: dead-stream sequence; Kafka: <c>partition:offset</c>).</param>
/// <param name="Topic">Topic it came from and is replayed to.</param>
/// <param name="Reason">Why it was dead-lettered.</param>
/// <param name="At">When (UTC).</param>
/// <param name="Size">Payload size in bytes.</param>
/// <param name="Key">Publisher's key (user id).</param>
public sealed record DeadLetterView(string Id, string Topic, string Reason, DateTimeOffset At, int Size, string Key);

/// <summary>Answer of <c>GET /admin/dead-letters</c>, oldest first.</summary>
public sealed record DeadLetterList(int Count, IReadOnlyList<DeadLetterView> DeadLetters);

/// <summary>Body of <c>POST /admin/dead-letters/replay</c>: a topic, ids, or both (at least one).</summary>
public sealed record DeadLetterReplayBody(string? Topic, IReadOnlyList<string>? Ids);

/// <summary>Answer of <c>POST /admin/dead-letters/replay</c>.</summary>
public sealed record DeadLetterReplayResult(IReadOnlyList<string> Replayed, IReadOnlyList<string> NotFound);
