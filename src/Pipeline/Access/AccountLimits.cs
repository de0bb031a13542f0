namespace SmsGateway.Access;

/// <summary>
/// Per-account access limits. As an override (<see cref="IAccessStore.GetLimitsAsync"/>) a null field means "the configured
/// default"; as effective limits every field is set.
/// </summary>
/// <param name="RequestsPerSecond">Authenticated HTTP requests per second, any endpoint.</param>
/// <param name="MessagesPerSecond">Accepted <c>/send</c> requests per second (one per message, whatever its segments).</param>
/// <param name="MessagesPerDay">Accepted <c>/send</c> requests per rolling 24 h.</param>
public sealed record AccountLimits(int? RequestsPerSecond, int? MessagesPerSecond, int? MessagesPerDay)
{
    /// <summary>This override's fields, or those of <paramref name="defaults"/> where this one has none.</summary>
    public AccountLimits Over(AccountLimits defaults) => new(
        RequestsPerSecond ?? defaults.RequestsPerSecond,
        MessagesPerSecond ?? defaults.MessagesPerSecond,
        MessagesPerDay ?? defaults.MessagesPerDay);
}
