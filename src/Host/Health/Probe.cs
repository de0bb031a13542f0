namespace SmsGateway.Host.Health;

/// <summary>The outcome of one <see cref="DependencyHealthCheck"/> probe.</summary>
/// <param name="Healthy">Whether the dependency is usable now.</param>
/// <param name="Description">Shown in <c>/health/ready</c>: never an endpoint, credential or exception text.</param>
/// <param name="Reason">Logged on a state change only; may name endpoints (null: the description).</param>
internal sealed record Probe(bool Healthy, string Description, string? Reason = null)
{
    /// <summary>A usable dependency.</summary>
    public static Probe Up(string description) => new(true, description);

    /// <summary>An unusable dependency, with the log's reason.</summary>
    public static Probe Down(string description, string reason) => new(false, description, reason);
}
