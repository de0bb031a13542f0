namespace SmsGateway.Routing;

/// <summary>One mobile operator from <c>operator.json</c>.</summary>
/// <param name="Name">Short name shown in the API (<c>MCI</c>, <c>MTN</c>, <c>Rightel</c>).</param>
/// <param name="DisplayName">Full name.</param>
/// <param name="Prefixes">National prefixes as configured (e.g. <c>0912</c>).</param>
/// <param name="PricePerSegment">Price of one SMS part, minor currency units.</param>
/// <param name="MaxConcurrency">Most sends in flight to this operator at once.</param>
/// <param name="RateLimitPerSecond">Most sends started per second; 0 for no limit.</param>
/// <param name="SendTimeout">How long one send may take before it counts as a transient failure.</param>
public sealed record OperatorInfo(
    string Name,
    string DisplayName,
    IReadOnlyList<string> Prefixes,
    long PricePerSegment,
    int MaxConcurrency,
    int RateLimitPerSecond,
    TimeSpan SendTimeout)
{
    /// <summary>How the gateway reaches the operator (<c>connection</c>; the simulator by default).</summary>
    public OperatorConnection Connection { get; init; } = OperatorConnection.Simulator;
}
