namespace SmsGateway.Transport;

/// <summary>
/// The pause before a delivery that failed on an infrastructure outage is delivered again: <c>min · 2^(n−1)</c> for the
/// n-th delivery, capped at <c>max</c>, times a random factor in [0.8, 1.2] so that the consumers of many processes do not
/// come back in step. Computed from <see cref="IDelivery.DeliveryCount"/>, so it needs no state and survives a restart.
/// </summary>
/// <remarks>Thread-safe.</remarks>
internal static class OutageBackoff
{
    /// <summary>The pause for a delivery that was the <paramref name="deliveryCount"/>-th of its message (1 for the first).</summary>
    public static TimeSpan For(int deliveryCount, TimeSpan min, TimeSpan max)
    {
        var doublings = Math.Clamp(deliveryCount - 1, 0, 30);
        var ms = Math.Min(min.TotalMilliseconds * Math.Pow(2, doublings), max.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(ms * (0.8 + (Random.Shared.NextDouble() * 0.4)));
    }
}
