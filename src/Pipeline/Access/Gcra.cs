namespace SmsGateway.Access;

/// <summary>
/// The GCRA arithmetic shared by the in-memory limiter (and mirrored by the Redis script <c>src/Redis/Access/gcra.lua</c>).
/// A bucket is one number, its theoretical arrival time (TAT, ms): each unit moves it by <c>period / limit</c>; a request
/// is allowed while the new TAT is at most one period ahead of now.
/// </summary>
public static class Gcra
{
    /// <summary>The new TAT and the decision for one rule. Pure.</summary>
    /// <param name="tat">The stored TAT, ms (0 when the bucket is new).</param>
    /// <param name="now">Now, ms.</param>
    /// <param name="rule">The rule.</param>
    /// <param name="cost">Units asked for.</param>
    public static (double NewTat, RateDecision Decision) Evaluate(double tat, double now, RateRule rule, int cost)
    {
        var interval = (double)rule.PeriodMs / rule.Limit;
        var start = Math.Max(tat, now);
        var newTat = start + (interval * cost);
        var allowAt = newTat - rule.PeriodMs;
        if (allowAt > now)
        {
            var used = start - now;
            return (tat, new RateDecision(false, rule.Limit, rule.PeriodMs, (long)Math.Floor((rule.PeriodMs - used) / interval),
                (long)Math.Ceiling(used), (long)Math.Ceiling(allowAt - now)));
        }

        var ahead = newTat - now;
        return (newTat, new RateDecision(true, rule.Limit, rule.PeriodMs, (long)Math.Floor((rule.PeriodMs - ahead) / interval), (long)Math.Ceiling(ahead), 0));
    }

    /// <summary>Of two decisions, the one to report: a refusal over an allowance, then the one with the fewest remaining units.</summary>
    public static RateDecision Tighter(RateDecision a, RateDecision b)
    {
        if (a.Allowed != b.Allowed)
        {
            return a.Allowed ? b : a;
        }

        if (!a.Allowed)
        {
            return a.RetryAfterMs >= b.RetryAfterMs ? a : b;
        }

        return a.Remaining <= b.Remaining ? a : b;
    }
}
