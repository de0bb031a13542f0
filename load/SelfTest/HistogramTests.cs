using SmsGateway.Load.Histogram;
using static SmsGateway.Load.SelfTest.SelfTestFailure;

namespace SmsGateway.Load.SelfTest;

/// <summary>Behaviour of <see cref="LatencyHistogram"/>: exact small values, bounded relative error, percentiles against a sorted array, merge, concurrency, clamping.</summary>
public static class HistogramTests
{
    /// <summary>All histogram cases.</summary>
    public static IEnumerable<(string Name, Func<CancellationToken, Task> Run)> Cases()
    {
        yield return ("histogram: empty answers zeros", _ =>
        {
            var h = new LatencyHistogram();
            Assert(h.TotalCount == 0 && h.ValueAtPercentile(99) == 0 && h.Max == 0 && h.Min == 0 && h.Mean == 0, "empty histogram must report zeros");
            return Task.CompletedTask;
        });
        yield return ("histogram: values below 2S are exact", _ =>
        {
            var h = new LatencyHistogram(8);
            for (var v = 0; v < 256; v++) h.Record(v);
            for (var v = 0; v < 256; v++)
                Assert(h.LowestEquivalent(v) == v && h.HighestEquivalentValue(v) == v, $"value {v} must be its own bucket");
            Assert(h.ValueAtPercentile(50) == 127, $"p50 of 0..255 is 127, got {h.ValueAtPercentile(50)}");
            Assert(h.ValueAtPercentile(100) == 255 && h.Min == 0, "max/min of 0..255");
            return Task.CompletedTask;
        });
        yield return ("histogram: buckets contiguous and relative error <= 1/128", _ =>
        {
            var h = new LatencyHistogram(8);
            long prevHigh = -1;
            for (long v = 0; v < 1L << 22; v = v < 4096 ? v + 1 : v + 97)
            {
                var lo = h.LowestEquivalent(v);
                var hi = h.HighestEquivalentValue(v);
                Assert(lo <= v && v <= hi, $"{v} outside its bucket [{lo},{hi}]");
                Assert((hi - lo) <= Math.Max(0, lo / 128), $"bucket [{lo},{hi}] wider than 1/128 of its start");
                if (v < 4096 && lo == v) { Assert(lo == prevHigh + 1, $"gap before {lo} (previous bucket ended {prevHigh})"); prevHigh = hi; }
            }
            return Task.CompletedTask;
        });
        yield return ("histogram: percentiles match a sorted array within precision", _ =>
        {
            var rng = new Random(3);
            var h = new LatencyHistogram(8);
            var values = new long[200_000];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = (long)Math.Exp(rng.NextDouble() * 16);   // log-uniform 1 .. ~9e6
                h.Record(values[i]);
            }
            Array.Sort(values);
            foreach (var p in new[] { 1.0, 25, 50, 75, 90, 95, 99, 99.9, 99.99, 100 })
            {
                var exact = values[Math.Max(0, (int)Math.Ceiling(p / 100 * values.Length) - 1)];
                var got = h.ValueAtPercentile(p);
                Assert(got >= exact && got <= exact + Math.Max(1, exact / 128.0), $"p{p}: histogram {got}, exact {exact}");
            }
            Assert(h.Max == values[^1] && h.Min == values[0], "min/max must be exact");
            Assert(Math.Abs(h.Mean - values.Average()) < 1e-6 * values.Average(), "mean must be exact");
            return Task.CompletedTask;
        });
        yield return ("histogram: merge equals recording everything in one", _ =>
        {
            var rng = new Random(5);
            var a = new LatencyHistogram();
            var b = new LatencyHistogram();
            var all = new LatencyHistogram();
            for (var i = 0; i < 50_000; i++)
            {
                var v = rng.NextInt64(0, 10_000_000);
                (i % 3 == 0 ? a : b).Record(v);
                all.Record(v);
            }
            a.Merge(b);
            Assert(a.TotalCount == all.TotalCount && a.Max == all.Max && a.Min == all.Min, "merged totals differ");
            foreach (var p in new[] { 50.0, 90, 99, 99.9 })
                Assert(a.ValueAtPercentile(p) == all.ValueAtPercentile(p), $"merged p{p} differs");
            Assert(a.Buckets().SequenceEqual(all.Buckets()), "merged buckets differ");
            var threw = false;
            try { a.Merge(new LatencyHistogram(10)); } catch (ArgumentException) { threw = true; }
            Assert(threw, "merging different shapes must throw");
            return Task.CompletedTask;
        });
        yield return ("histogram: concurrent recording loses nothing", async ct =>
        {
            var h = new LatencyHistogram();
            await Task.WhenAll(Enumerable.Range(0, 8).Select(t => Task.Run(() =>
            {
                for (var i = 0; i < 100_000; i++) h.Record((i * 31 + t) % 1_000_000);
            }, ct))).ConfigureAwait(false);
            Assert(h.TotalCount == 800_000 && h.Buckets().Sum(b => b.Count) == 800_000, $"lost updates: {h.TotalCount}");
        });
        yield return ("histogram: values above the range are clamped and counted", _ =>
        {
            var h = new LatencyHistogram(8, 1 << 20);
            h.Record(5);
            h.Record(1L << 30);
            Assert(h.Clamped == 1 && h.TotalCount == 2 && h.Max == 1 << 20, "clamping");
            var threw = false;
            try { h.Record(-1); } catch (ArgumentOutOfRangeException) { threw = true; }
            Assert(threw, "negative values must throw");
            return Task.CompletedTask;
        });
    }
}
