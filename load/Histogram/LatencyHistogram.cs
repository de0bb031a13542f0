namespace SmsGateway.Load.Histogram;

/// <summary>
/// A log-linear histogram of non-negative values (the load runner records microseconds), shaped like HdrHistogram:
/// values below 2·<c>S</c> (S = 2^(precisionBits−1) sub-buckets per power of two) are counted exactly, larger values fall into
/// buckets whose width is 1/S of their power of two, so any recorded value is known to within a relative error of 1/S
/// (precision 8 bits: 1/128 &lt; 0.8 %). Percentiles report a bucket's highest equivalent value (never below the truth), capped by the exact maximum.
/// </summary>
/// <remarks>Recording and merging are thread-safe (interlocked counters); reading while recording gives a slightly stale but consistent-enough view.
/// Values above <see cref="HighestTrackable"/> are clamped to it and counted in <see cref="Clamped"/>.</remarks>
public sealed class LatencyHistogram
{
    private readonly long[] _counts;
    private readonly int _subBits;     // log2 of the half sub-bucket count S
    private readonly int _subCount;    // S
    private long _total, _sum, _clamped;
    private long _min = long.MaxValue, _max = -1;

    /// <summary>Creates an empty histogram.</summary>
    /// <param name="precisionBits">Bits of precision, 4..14 (relative error 2^−(bits−1)). Default 8.</param>
    /// <param name="highestTrackable">Largest value kept apart from clamping; default 2^40 (about 12.7 days in µs).</param>
    public LatencyHistogram(int precisionBits = 8, long highestTrackable = 1L << 40)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(precisionBits, 4);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(precisionBits, 14);
        ArgumentOutOfRangeException.ThrowIfLessThan(highestTrackable, 2L << precisionBits);
        PrecisionBits = precisionBits;
        HighestTrackable = highestTrackable;
        _subBits = precisionBits - 1;
        _subCount = 1 << _subBits;
        _counts = new long[IndexOf(highestTrackable) + 1];
    }

    /// <summary>Bits of precision given at construction.</summary>
    public int PrecisionBits { get; }

    /// <summary>Largest value recorded as is.</summary>
    public long HighestTrackable { get; }

    /// <summary>Number of recorded values.</summary>
    public long TotalCount => Interlocked.Read(ref _total);

    /// <summary>Number of values that were above <see cref="HighestTrackable"/> and clamped.</summary>
    public long Clamped => Interlocked.Read(ref _clamped);

    /// <summary>Exact largest recorded value; 0 when empty.</summary>
    public long Max => Math.Max(0, Interlocked.Read(ref _max));

    /// <summary>Exact smallest recorded value; 0 when empty.</summary>
    public long Min => TotalCount == 0 ? 0 : Interlocked.Read(ref _min);

    /// <summary>Mean of the recorded values (exact sum); 0 when empty.</summary>
    public double Mean => TotalCount == 0 ? 0 : (double)Interlocked.Read(ref _sum) / TotalCount;

    /// <summary>Records one value. Negative values throw <see cref="ArgumentOutOfRangeException"/>.</summary>
    public void Record(long value) => Record(value, 1);

    /// <summary>Records <paramref name="count"/> occurrences of <paramref name="value"/>.</summary>
    public void Record(long value, long count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(value);
        if (count <= 0) return;
        if (value > HighestTrackable) { Interlocked.Add(ref _clamped, count); value = HighestTrackable; }
        Interlocked.Add(ref _counts[IndexOf(value)], count);
        Interlocked.Add(ref _total, count);
        Interlocked.Add(ref _sum, value * count);
        UpdateMin(value);
        UpdateMax(value);
    }

    /// <summary>Adds every count of <paramref name="other"/> (same precision and range) into this histogram.</summary>
    /// <exception cref="ArgumentException">The shapes differ.</exception>
    public void Merge(LatencyHistogram other)
    {
        if (other.PrecisionBits != PrecisionBits || other.HighestTrackable != HighestTrackable)
            throw new ArgumentException("histograms of different precision or range cannot be merged", nameof(other));
        for (var i = 0; i < _counts.Length; i++)
        {
            var c = Interlocked.Read(ref other._counts[i]);
            if (c != 0) Interlocked.Add(ref _counts[i], c);
        }
        Interlocked.Add(ref _total, other.TotalCount);
        Interlocked.Add(ref _sum, Interlocked.Read(ref other._sum));
        Interlocked.Add(ref _clamped, other.Clamped);
        if (other.TotalCount > 0) { UpdateMin(other.Min); UpdateMax(other.Max); }
    }

    /// <summary>
    /// The value at percentile <paramref name="percentile"/> (0..100): the smallest bucket's highest equivalent value such that at least
    /// that share of values is at or below it, capped by <see cref="Max"/>. 0 when empty.
    /// </summary>
    public long ValueAtPercentile(double percentile)
    {
        var total = TotalCount;
        if (total == 0) return 0;
        percentile = Math.Clamp(percentile, 0, 100);
        var target = Math.Max(1, (long)Math.Ceiling(percentile / 100.0 * total));
        long seen = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            seen += Interlocked.Read(ref _counts[i]);
            if (seen >= target) return Math.Min(HighestEquivalent(i), Max);
        }
        return Max;
    }

    /// <summary>Lowest value that falls into the same bucket as <paramref name="value"/>.</summary>
    public long LowestEquivalent(long value) => LowerBound(IndexOf(Math.Min(value, HighestTrackable)));

    /// <summary>Highest value that falls into the same bucket as <paramref name="value"/>.</summary>
    public long HighestEquivalentValue(long value) => HighestEquivalent(IndexOf(Math.Min(value, HighestTrackable)));

    /// <summary>Non-empty buckets as (lowest value, highest value, count), ascending.</summary>
    public IEnumerable<(long Low, long High, long Count)> Buckets()
    {
        for (var i = 0; i < _counts.Length; i++)
        {
            var c = Interlocked.Read(ref _counts[i]);
            if (c != 0) yield return (LowerBound(i), HighestEquivalent(i), c);
        }
    }

    private int IndexOf(long value)
    {
        if (value < 2L * _subCount) return (int)value;
        var magnitude = 63 - (int)long.LeadingZeroCount(value);         // floor(log2 value) >= subBits + 1
        var shift = magnitude - _subBits;
        var sub = (int)(value >> shift);                             // in [S, 2S)
        return (shift * _subCount) + sub;
    }

    private long LowerBound(int index)
    {
        if (index < 2 * _subCount) return index;
        var shift = (index / _subCount) - 1;
        var sub = (index % _subCount) + _subCount;
        return (long)sub << shift;
    }

    private long HighestEquivalent(int index)
    {
        if (index < 2 * _subCount) return index;
        var shift = (index / _subCount) - 1;
        return LowerBound(index) + (1L << shift) - 1;
    }

    private void UpdateMin(long value)
    {
        var cur = Interlocked.Read(ref _min);
        while (value < cur)
        {
            var seen = Interlocked.CompareExchange(ref _min, value, cur);
            if (seen == cur) return;
            cur = seen;
        }
    }

    private void UpdateMax(long value)
    {
        var cur = Interlocked.Read(ref _max);
        while (value > cur)
        {
            var seen = Interlocked.CompareExchange(ref _max, value, cur);
            if (seen == cur) return;
            cur = seen;
        }
    }
}
