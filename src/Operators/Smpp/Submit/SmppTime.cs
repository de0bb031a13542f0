using System.Globalization;

namespace SmsGateway.Operators.Smpp.Submit;

/// <summary>
/// SMPP time strings (SMPP v3.4 Issue 1.2, §7.1.1, used by <c>schedule_delivery_time</c> and <c>validity_period</c>):
/// 16 characters <c>YYMMDDhhmmsstnnp</c> (the writer adds the NUL). Absolute (§7.1.1.1): <c>t</c> tenths of a second,
/// <c>nn</c> the offset from UTC in quarter hours (00-48), <c>p</c> '+' or '-'. Relative (§7.1.1.2): the fields count
/// years, months, days, hours, minutes and seconds from now, <c>tnn</c> is <c>000</c> and <c>p</c> is 'R'.
/// </summary>
/// <remarks>Stateless and thread-safe.</remarks>
internal static class SmppTime
{
    /// <summary>Longest period <see cref="Relative"/> writes with days only (DD is two digits).</summary>
    public static readonly TimeSpan MaxRelative = TimeSpan.FromDays(100) - TimeSpan.FromSeconds(1);

    /// <summary>
    /// A relative time of <paramref name="period"/>, rounded up to whole seconds, at least 1 s, in days, hours, minutes and
    /// seconds (years and months 00, whose length the SMSC would have to guess). E.g. 90061 s → <c>000001010101000R</c>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="period"/> is longer than <see cref="MaxRelative"/>.</exception>
    public static string Relative(TimeSpan period)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(period, MaxRelative);
        long seconds = Math.Max(1, (long)Math.Ceiling(period.TotalSeconds));
        long days = seconds / 86_400, hours = seconds / 3600 % 24, minutes = seconds / 60 % 60, secs = seconds % 60;
        return string.Create(CultureInfo.InvariantCulture, $"0000{days:00}{hours:00}{minutes:00}{secs:00}000R");
    }

    /// <summary>
    /// An absolute time: <paramref name="time"/> in its own offset, which must be a whole number of quarter hours.
    /// E.g. 2026-12-01T10:00:00.5+03:30 → <c>261201100000514+</c>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The offset is not a multiple of 15 minutes or is beyond ±12 h.</exception>
    public static string Absolute(DateTimeOffset time)
    {
        var offset = time.Offset;
        if (offset.Ticks % TimeSpan.FromMinutes(15).Ticks != 0 || Math.Abs(offset.TotalHours) > 12)
        {
            throw new ArgumentOutOfRangeException(nameof(time), offset, "the UTC offset must be a whole number of quarter hours within ±12 h");
        }

        int quarters = (int)Math.Abs(offset.TotalMinutes / 15);
        int tenths = time.Millisecond / 100;
        char sign = offset < TimeSpan.Zero ? '-' : '+';
        return string.Create(CultureInfo.InvariantCulture, $"{time:yyMMddHHmmss}{tenths}{quarters:00}{sign}");
    }

    /// <summary>
    /// The <c>validity_period</c> for a message valid until <paramref name="validUntil"/>, sent at <paramref name="now"/>: the
    /// remaining period as a relative time (no clock agreement with the SMSC needed), or absolute (in UTC) when longer than
    /// <see cref="MaxRelative"/>; empty (the SMSC's default) when <paramref name="validUntil"/> is null.
    /// </summary>
    public static string ValidityPeriod(DateTimeOffset? validUntil, DateTimeOffset now)
    {
        if (validUntil is not { } until)
        {
            return string.Empty;
        }

        var remaining = until - now;
        return remaining <= MaxRelative ? Relative(remaining < TimeSpan.Zero ? TimeSpan.Zero : remaining) : Absolute(until.ToUniversalTime());
    }
}
