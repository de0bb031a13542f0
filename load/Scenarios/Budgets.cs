namespace SmsGateway.Load.Scenarios;

/// <summary>The express-path latency budgets of DESIGN.md "Latency budgets" (p99, milliseconds), per profile.</summary>
/// <param name="Profile"><c>embedded</c> or <c>full</c>.</param>
/// <param name="AcceptP99Ms">HTTP accept: 2 ms embedded, 5 ms full stack.</param>
/// <param name="FinalP99Ms">Accept → sent: 5 ms embedded (simulator with zero delay), 20 ms full stack.</param>
/// <param name="BacklogFactor">Express while 100k normal messages are queued: at most this × the unloaded figure (2).</param>
public sealed record Budgets(string Profile, double AcceptP99Ms, double FinalP99Ms, double BacklogFactor)
{
    /// <summary>Budgets of the embedded (in-memory) profile.</summary>
    public static readonly Budgets Embedded = new("embedded", 2, 5, 2);

    /// <summary>Budgets of the full stack (Redis ×3 + NATS or Kafka + PostgreSQL).</summary>
    public static readonly Budgets Full = new("full", 5, 20, 2);

    /// <summary>The budgets of <paramref name="profile"/>; throws <see cref="ArgumentException"/> for an unknown one.</summary>
    public static Budgets For(string profile) => profile switch
    {
        "embedded" => Embedded,
        "full" => Full,
        _ => throw new ArgumentException($"unknown profile '{profile}' (embedded or full)"),
    };
}
