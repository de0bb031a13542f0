namespace SmsGateway.Access;

/// <summary>
/// One GCRA rule (generic cell rate algorithm, ITU-T I.371; the "leaky bucket as a meter"): at most <see cref="Limit"/>
/// units per <see cref="PeriodMs"/>, the whole limit usable as a burst.
/// </summary>
/// <param name="Key">The bucket, e.g. <c>req:{userId}</c>; unique per account and rule.</param>
/// <param name="Limit">Units per period, &gt; 0.</param>
/// <param name="PeriodMs">Period, ms (1000 for per-second limits, 86 400 000 for per-day).</param>
public readonly record struct RateRule(string Key, int Limit, long PeriodMs);
