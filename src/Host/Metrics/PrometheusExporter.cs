using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace SmsGateway.Host.Metrics;

/// <summary>
/// Serves the pipeline's meters in the Prometheus text exposition format 0.0.4
/// (https://prometheus.io/docs/instrumenting/exposition_formats/), collected with a <see cref="MeterListener"/>
/// (no Prometheus exporter package is available here). Counters become <c>counter</c>s; histograms become cumulative
/// <c>histogram</c>s with fixed millisecond buckets.
/// </summary>
/// <remarks>Thread-safe: measurements arrive on any thread; aggregation uses interlocked updates per series.</remarks>
internal sealed class PrometheusExporter : IDisposable
{
    private static readonly double[] Buckets = [0.25, 0.5, 1, 2, 5, 10, 20, 50, 100, 250, 500, 1000, 5000];
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<(Instrument Instrument, string Labels), Series> _series = new();
    private readonly ConcurrentDictionary<TagKey, Series> _byTags = new();

    public PrometheusExporter(params string[] meterNames)
    {
        var names = new HashSet<string>(meterNames, StringComparer.Ordinal);
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (names.Contains(instrument.Meter.Name))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((i, value, tags, _) => Record(i, value, tags));
        _listener.SetMeasurementEventCallback<double>((i, value, tags, _) => Record(i, value, tags));
        _listener.Start();
    }

    /// <summary>Writes every series as exposition text.</summary>
    public string Render()
    {
        var sb = new StringBuilder();
        foreach (var group in _series.GroupBy(kv => kv.Key.Instrument).OrderBy(g => g.Key.Name, StringComparer.Ordinal))
        {
            var instrument = group.Key;
            bool histogram = instrument.GetType().Name.StartsWith("Histogram", StringComparison.Ordinal);
            sb.Append("# HELP ").Append(instrument.Name).Append(' ').Append(instrument.Description ?? instrument.Name).Append('\n');
            sb.Append("# TYPE ").Append(instrument.Name).Append(histogram ? " histogram\n" : " counter\n");
            foreach (var (key, series) in group.OrderBy(kv => kv.Key.Labels, StringComparer.Ordinal))
            {
                if (!histogram)
                {
                    sb.Append(instrument.Name).Append(Braces(key.Labels)).Append(' ').Append(Format(series.Sum)).Append('\n');
                    continue;
                }

                long cumulative = 0;
                for (int b = 0; b <= Buckets.Length; b++)
                {
                    cumulative += Interlocked.Read(ref series.Counts[b]);
                    string le = b < Buckets.Length ? Format(Buckets[b]) : "+Inf";
                    sb.Append(instrument.Name).Append("_bucket").Append(Braces(Join(key.Labels, $"le=\"{le}\""))).Append(' ').Append(cumulative).Append('\n');
                }

                sb.Append(instrument.Name).Append("_sum").Append(Braces(key.Labels)).Append(' ').Append(Format(series.Sum)).Append('\n');
                sb.Append(instrument.Name).Append("_count").Append(Braces(key.Labels)).Append(' ').Append(cumulative).Append('\n');
            }
        }

        return sb.ToString();
    }

    public void Dispose() => _listener.Dispose();

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var series = Find(instrument, tags);
        series.Add(value);
        if (instrument is Histogram<double> or Histogram<long>)
        {
            int b = 0;
            while (b < Buckets.Length && value > Buckets[b])
            {
                b++;
            }

            Interlocked.Increment(ref series.Counts[b]);
        }
    }

    /// <summary>The series of a measurement. Measurements arrive several times per message, so the usual case (at most two tags,
    /// as every pipeline instrument has) is a lookup by the raw tag keys and values; the label text is built only for a new series.</summary>
    private Series Find(Instrument instrument, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.Length > 2)
        {
            return _series.GetOrAdd((instrument, Labels(tags)), static _ => new Series());
        }

        var key = tags.Length switch
        {
            0 => new TagKey(instrument, null, null, null, null),
            1 => new TagKey(instrument, tags[0].Key, tags[0].Value, null, null),
            _ => new TagKey(instrument, tags[0].Key, tags[0].Value, tags[1].Key, tags[1].Value),
        };
        if (!_byTags.TryGetValue(key, out var series))
        {
            series = _series.GetOrAdd((instrument, Labels(tags)), static _ => new Series());
            _byTags.TryAdd(key, series);
        }

        return series;
    }

    private static string Labels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.Length == 0)
        {
            return string.Empty;
        }

        var parts = new List<string>(tags.Length);
        foreach (var tag in tags)
        {
            var v = Convert.ToString(tag.Value, CultureInfo.InvariantCulture) ?? string.Empty;
            parts.Add($"{tag.Key}=\"{v.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal)}\"");
        }

        parts.Sort(StringComparer.Ordinal);
        return string.Join(',', parts);
    }

    private static string Join(string labels, string extra) => labels.Length == 0 ? extra : labels + "," + extra;

    private static string Braces(string labels) => labels.Length == 0 ? string.Empty : "{" + labels + "}";

    private static string Format(double v) => v.ToString("G17", CultureInfo.InvariantCulture);

    private sealed class Series
    {
        public readonly long[] Counts = new long[Buckets.Length + 1];
        private double _sum;

        public double Sum => Volatile.Read(ref _sum);

        public void Add(double value)
        {
            double current, updated;
            do
            {
                current = Volatile.Read(ref _sum);
                updated = current + value;
            }
            while (Interlocked.CompareExchange(ref _sum, updated, current) != current);
        }
    }

    /// <summary>An instrument and up to two raw tags (keys, and values compared with their own Equals).</summary>
    private readonly record struct TagKey(Instrument Instrument, string? Key0, object? Value0, string? Key1, object? Value1);
}
