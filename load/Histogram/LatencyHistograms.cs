using HdrHistogram;

namespace SmsGateway.Load.Histogram;

/// <summary>
/// The load runner's latency histograms: HdrHistogram (https://github.com/HdrHistogram/HdrHistogram.NET) recording
/// microseconds from 0 to <see cref="HighestTrackableMicros"/>, safe for concurrent recording
/// (<see cref="LongConcurrentHistogram"/>). What HdrHistogram does not do and this adds: a value above the range is
/// clamped to it instead of throwing (a request slower than an hour is reported as an hour), and a negative one to 0.
/// </summary>
/// <remarks>
/// Percentiles (<see cref="HistogramBase.GetValueAtPercentile"/>) and the maximum (<see cref="HistogramExtensions.GetMaxValue"/>)
/// are the highest value equivalent to the recorded one, so they are never below the truth and above it by less than
/// 10^-digits of it (3 digits: 0.1 %). Reading while other threads record gives a slightly stale view.
/// </remarks>
public static class LatencyHistograms
{
    /// <summary>Largest value kept as is: one hour in microseconds.</summary>
    public const long HighestTrackableMicros = 3_600_000_000;

    /// <summary>Creates an empty concurrent histogram of microseconds.</summary>
    /// <param name="significantDigits">Decimal digits kept (1..5): relative error below 10^-digits. 3 (0.1 %) for scenario
    /// totals; the per-second timeline uses 2 (1 %, an eighth of the memory).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="significantDigits"/> outside 1..5.</exception>
    public static HistogramBase Create(int significantDigits = 3) =>
        new LongConcurrentHistogram(1, HighestTrackableMicros, significantDigits);

    /// <summary>Records <paramref name="micros"/>, clamped to [0, <see cref="HistogramBase.HighestTrackableValue"/>]. Thread-safe.</summary>
    public static void RecordClamped(this HistogramBase histogram, long micros) =>
        histogram.RecordValue(Math.Clamp(micros, 0, histogram.HighestTrackableValue));

    /// <summary>
    /// The value at <paramref name="percentile"/> (0..100): the highest value equivalent to the smallest recorded value that
    /// at least that share of values is at or below. 0 when empty (HdrHistogram throws <see cref="ArgumentOutOfRangeException"/> then).
    /// </summary>
    public static long ValueAtPercentileOrZero(this HistogramBase histogram, double percentile) =>
        histogram.TotalCount == 0 ? 0 : histogram.GetValueAtPercentile(percentile);

    /// <summary>Mean of the recorded values (each counted at its bucket's middle); 0 when empty.</summary>
    public static double MeanOrZero(this HistogramBase histogram) => histogram.TotalCount == 0 ? 0 : histogram.GetMean();
}
