using SmsGateway.Dispatch;

namespace SmsGateway.Tests.Unit;

public sealed class RetryPolicyTests
{
    [Fact]
    public void At_most_three_retries_by_default()
    {
        var policy = RetryPolicy.Default;
        Assert.True(policy.CanRetry(1));
        Assert.True(policy.CanRetry(3));
        Assert.False(policy.CanRetry(4));
        Assert.False(policy.CanRetry(0));
    }

    [Theory]
    [InlineData(2, 100, 200)]
    [InlineData(3, 200, 400)]
    [InlineData(4, 400, 800)]
    [InlineData(20, 5000, 10000)]
    public void Backoff_doubles_with_equal_jitter_and_is_capped(int attempt, double minMs, double maxMs)
    {
        var policy = new RetryPolicy { BaseDelay = TimeSpan.FromMilliseconds(200), MaxDelay = TimeSpan.FromSeconds(10) };
        var random = new Random(1);
        for (int i = 0; i < 200; i++)
        {
            var d = policy.DelayBefore(attempt, random).TotalMilliseconds;
            Assert.InRange(d, minMs, maxMs);
        }
    }

    [Fact]
    public void Invalid_settings_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new RetryPolicy { MaxRetries = -1 }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new RetryPolicy { BaseDelay = TimeSpan.FromSeconds(2), MaxDelay = TimeSpan.FromSeconds(1) }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => RetryPolicy.Default.DelayBefore(1));
    }
}
