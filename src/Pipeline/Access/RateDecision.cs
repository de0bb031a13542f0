namespace SmsGateway.Access;

/// <summary>
/// A limiter's answer, with what the RateLimit headers of draft-ietf-httpapi-ratelimit-headers report: the rule closest
/// to its limit.
/// </summary>
/// <param name="Allowed">True when the units were taken.</param>
/// <param name="Limit">That rule's limit (units per period).</param>
/// <param name="PeriodMs">That rule's period, ms.</param>
/// <param name="Remaining">Units still available under that rule now.</param>
/// <param name="ResetMs">Time until that rule's bucket is full again, ms.</param>
/// <param name="RetryAfterMs">When refused: time until the request would be allowed, ms; 0 when allowed.</param>
public readonly record struct RateDecision(bool Allowed, int Limit, long PeriodMs, long Remaining, long ResetMs, long RetryAfterMs);
