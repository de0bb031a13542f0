using HdrHistogram;
using SmsGateway.Load.Histogram;
using static SmsGateway.Load.SelfTest.SelfTestFailure;

namespace SmsGateway.Load.SelfTest;

/// <summary>
/// The runner's use of HdrHistogram (<see cref="LatencyHistograms"/>): empty answers, percentiles within the configured
/// precision against a sorted array, lossless concurrent recording, clamping beyond the range.
/// </summary>
public static class HistogramTests
{
    /// <summary>All histogram cases.</summary>
    public static IEnumerable<(string Name, Func<CancellationToken, Task> Run)> Cases()
    {
        yield return ("histogram: empty answers zeros", _ =>
        {
            var h = LatencyHistograms.Create();
            Assert(h.TotalCount == 0 && h.ValueAtPercentileOrZero(99) == 0 && h.GetMaxValue() == 0 && h.MeanOrZero() == 0, "empty histogram must report zeros");
            return Task.CompletedTask;
        });
        yield return ("histogram: small values are exact", _ =>
        {
            var h = LatencyHistograms.Create();
            for (var v = 0; v < 2048; v++) h.RecordClamped(v);
            Assert(h.ValueAtPercentileOrZero(50) == 1023, $"p50 of 0..2047 is 1023, got {h.ValueAtPercentileOrZero(50)}");
            Assert(h.ValueAtPercentileOrZero(100) == 2047 && h.GetMaxValue() == 2047, "max of 0..2047");
            return Task.CompletedTask;
        });
        foreach (var digits in new[] { 3, 2 })
        {
            var bound = Math.Pow(10, -digits);
            yield return ($"histogram: {digits}-digit percentiles match a sorted array within {bound:P1}", _ =>
            {
                var rng = new Random(3);
                var h = LatencyHistograms.Create(digits);
                var values = new long[200_000];
                for (var i = 0; i < values.Length; i++)
                {
                    values[i] = (long)Math.Exp(rng.NextDouble() * 16);   // log-uniform 1 .. ~9e6 µs
                    h.RecordClamped(values[i]);
                }
                Array.Sort(values);
                foreach (var p in new[] { 1.0, 25, 50, 75, 90, 95, 99, 99.9, 99.99, 100 })
                {
                    var exact = values[Math.Max(0, (int)Math.Ceiling(p / 100 * values.Length) - 1)];
                    var got = h.ValueAtPercentileOrZero(p);
                    Assert(got >= exact && got <= exact + Math.Max(1, exact * bound), $"p{p}: histogram {got}, exact {exact}");
                }
                var max = h.GetMaxValue();
                Assert(max >= values[^1] && max <= values[^1] * (1 + bound), $"max {max}, exact {values[^1]}");
                Assert(Math.Abs(h.MeanOrZero() - values.Average()) <= bound * values.Average(), $"mean {h.MeanOrZero()}, exact {values.Average()}");
                return Task.CompletedTask;
            });
        }
        yield return ("histogram: concurrent recording loses nothing", async ct =>
        {
            var h = LatencyHistograms.Create();
            await Task.WhenAll(Enumerable.Range(0, 8).Select(t => Task.Run(() =>
            {
                for (var i = 0; i < 100_000; i++) h.RecordClamped((i * 31 + t) % 1_000_000);
            }, ct))).ConfigureAwait(false);
            Assert(h.TotalCount == 800_000 && h.RecordedValues().Sum(v => v.CountAtValueIteratedTo) == 800_000, $"lost updates: {h.TotalCount}");
        });
        yield return ("histogram: values beyond the range are clamped, negative ones count as 0", _ =>
        {
            var h = LatencyHistograms.Create();
            h.RecordClamped(5);
            h.RecordClamped(LatencyHistograms.HighestTrackableMicros * 10);
            h.RecordClamped(-7);
            Assert(h.TotalCount == 3, "every value is counted");
            Assert(h.GetMaxValue() >= LatencyHistograms.HighestTrackableMicros, $"max {h.GetMaxValue()} must be the range's top");
            Assert(h.ValueAtPercentileOrZero(1) == 0, "a negative value is recorded as 0");
            return Task.CompletedTask;
        });
    }
}
