using SmsGateway.Access;

namespace SmsGateway.Tests.Unit;

/// <summary>The GCRA limiter of the embedded profile (the Redis script mirrors its arithmetic).</summary>
public sealed class AccountRateLimiterTests
{
    private sealed class ManualClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 11, 22, 10, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => Now;
    }

    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task A_full_burst_then_one_unit_per_interval()
    {
        var clock = new ManualClock();
        var limiter = new InMemoryAccountRateLimiter(clock);
        RateRule[] rule = [new("req:u", 4, 1000)];

        for (var i = 0; i < 4; i++)
        {
            var ok = await limiter.AcquireAsync(rule, 1, None);
            Assert.True(ok.Allowed);
            Assert.Equal(3 - i, ok.Remaining);
        }

        var refused = await limiter.AcquireAsync(rule, 1, None);
        Assert.False(refused.Allowed);
        Assert.Equal(250, refused.RetryAfterMs);
        Assert.Equal(0, refused.Remaining);

        clock.Now = clock.Now.AddMilliseconds(249);
        Assert.False((await limiter.AcquireAsync(rule, 1, None)).Allowed);
        clock.Now = clock.Now.AddMilliseconds(1);
        Assert.True((await limiter.AcquireAsync(rule, 1, None)).Allowed);
        Assert.False((await limiter.AcquireAsync(rule, 1, None)).Allowed);
    }

    [Fact]
    public async Task Several_rules_take_units_from_all_or_from_none()
    {
        var limiter = new InMemoryAccountRateLimiter(new ManualClock());
        RateRule[] rules = [new("msg:u", 10, 1000), new("msgday:u", 2, 86_400_000)];

        Assert.True((await limiter.AcquireAsync(rules, 1, None)).Allowed);
        var second = await limiter.AcquireAsync(rules, 1, None);
        Assert.True(second.Allowed);
        Assert.Equal(86_400_000, second.PeriodMs); // the day rule is the tighter one now
        var third = await limiter.AcquireAsync(rules, 1, None);
        Assert.False(third.Allowed);
        Assert.Equal(86_400_000, third.PeriodMs);

        // The refused call took nothing from the per-second bucket: 8 of its 10 are still there.
        var perSecond = await limiter.AcquireAsync([new("msg:u", 10, 1000)], 1, None);
        Assert.Equal(7, perSecond.Remaining);
    }

    [Fact]
    public async Task Accounts_do_not_share_buckets()
    {
        var limiter = new InMemoryAccountRateLimiter(new ManualClock());
        Assert.True((await limiter.AcquireAsync([new("req:a", 1, 1000)], 1, None)).Allowed);
        Assert.False((await limiter.AcquireAsync([new("req:a", 1, 1000)], 1, None)).Allowed);
        Assert.True((await limiter.AcquireAsync([new("req:b", 1, 1000)], 1, None)).Allowed);
    }
}
