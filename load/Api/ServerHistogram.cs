using System.Globalization;

namespace SmsGateway.Load.Api;

/// <summary>
/// A Prometheus histogram scraped from the gateway's <c>/metrics</c> text (exposition format 0.0.4, as OpenTelemetry's Prometheus exporter
/// writes it: scope labels such as <c>otel_scope_name</c> on every series, an optional timestamp after the value): cumulative counts per
/// bucket upper bound (<c>le</c>), summed over every label set. Used to report the gateway's own view of a latency beside the client's, so a reader can tell
/// server time from network, HTTP and client-scheduling time. Bucket bounds are coarse: percentiles are reported as "≤ the bucket's bound".
/// </summary>
public sealed class ServerHistogram
{
    private readonly SortedDictionary<double, long> _cumulative;

    private ServerHistogram(SortedDictionary<double, long> cumulative) => _cumulative = cumulative;

    /// <summary>Observations counted.</summary>
    public long Count => _cumulative.Count == 0 ? 0 : _cumulative.Values.Max();

    /// <summary>Parses the <c>{name}_bucket</c> lines of <paramref name="metricsText"/>; an absent metric gives an empty histogram.</summary>
    public static ServerHistogram Parse(string metricsText, string name)
    {
        var buckets = new SortedDictionary<double, long>();
        var prefix = name + "_bucket{";
        foreach (var raw in metricsText.Split('\n'))
        {
            var line = raw.Trim();
            if (!line.StartsWith(prefix, StringComparison.Ordinal)) continue;
            // The le label as a whole label ({le=" or ,le="), not the end of another label's name such as rule=".
            var le = line.IndexOf("{le=\"", StringComparison.Ordinal) is var first and >= 0 ? first + 1 : line.IndexOf(",le=\"", StringComparison.Ordinal) is var other and >= 0 ? other + 1 : -1;
            var close = le < 0 ? -1 : line.IndexOf('"', le + 4);
            var labelsEnd = close < 0 ? -1 : line.IndexOf("} ", close, StringComparison.Ordinal);
            if (labelsEnd < 0) continue;
            // The value is the first field after the labels; a timestamp (ms) may follow it.
            var value = line[(labelsEnd + 2)..].TrimStart();
            var valueEnd = value.IndexOf(' ');
            var bound = line[(le + 4)..close] is "+Inf" ? double.PositiveInfinity : double.Parse(line[(le + 4)..close], CultureInfo.InvariantCulture);
            var count = (long)double.Parse(valueEnd < 0 ? value : value[..valueEnd], CultureInfo.InvariantCulture);
            buckets[bound] = buckets.GetValueOrDefault(bound) + count;
        }
        return new ServerHistogram(buckets);
    }

    /// <summary>The observations made between <paramref name="earlier"/> and this scrape (same buckets assumed).</summary>
    public ServerHistogram Since(ServerHistogram earlier) =>
        new(new SortedDictionary<double, long>(_cumulative.ToDictionary(b => b.Key, b => b.Value - earlier._cumulative.GetValueOrDefault(b.Key))));

    /// <summary>Formats a bound for notes: <c>0.25</c>, or <c>inf</c> when the percentile lies beyond the last finite bucket.</summary>
    public static string Format(double bound) => double.IsPositiveInfinity(bound) ? "inf" : bound.ToString("0.##", CultureInfo.InvariantCulture);

    /// <summary>The smallest bucket bound holding at least <paramref name="percentile"/> % of the observations (ms for the gateway's
    /// <c>_milliseconds</c> histograms); <see cref="double.NaN"/> when empty.</summary>
    public double UpperBoundAt(double percentile)
    {
        var total = Count;
        if (total == 0) return double.NaN;
        var needed = Math.Ceiling(total * percentile / 100.0 - 1e-9); // 41,000 × 99.9 / 100 must give 40,959, not 40,960
        return _cumulative.First(b => b.Value >= needed).Key;
    }
}
