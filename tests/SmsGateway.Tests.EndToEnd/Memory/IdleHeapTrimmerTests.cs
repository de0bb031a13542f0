using SmsGateway.Host.Memory;
using Xunit;

namespace SmsGateway.Tests.EndToEnd.Memory;

/// <summary>When the idle trim runs: only on an idle tick, and only after the heap grew since the last trim.</summary>
public sealed class IdleHeapTrimmerTests
{
    private const long MiB = 1 << 20;

    [Theory]
    [InlineData(0, 300 * MiB, 100 * MiB, true)]           // idle after a flood: trim
    [InlineData(50 * MiB, 300 * MiB, 100 * MiB, false)]   // still busy: never collect under load
    [InlineData(0, 120 * MiB, 100 * MiB, false)]          // idle but little growth: not worth a pause
    [InlineData(0, 164 * MiB, 100 * MiB, true)]           // exactly the growth threshold
    public void Trims_only_when_idle_after_growth(long allocatedSinceLastTick, long committed, long afterLastTrim, bool expected) =>
        Assert.Equal(expected, IdleHeapTrimmer.ShouldTrim(allocatedSinceLastTick, committed, afterLastTrim));
}
