using HdrHistogram;
using SmsGateway.Load.Histogram;

namespace SmsGateway.Load.Reporting;

/// <summary>A row of the latency tables: one histogram's count and p50/p75/p95/p99/p99.9/max in milliseconds.</summary>
public sealed record LatencyRow(string Name, long Count, double P50, double P75, double P95, double P99, double P999, double Max, double Mean)
{
    /// <summary>Builds a row from a µs histogram.</summary>
    public static LatencyRow From(string name, HistogramBase h) => new(name, h.TotalCount,
        h.ValueAtPercentileOrZero(50) / 1000.0, h.ValueAtPercentileOrZero(75) / 1000.0, h.ValueAtPercentileOrZero(95) / 1000.0,
        h.ValueAtPercentileOrZero(99) / 1000.0, h.ValueAtPercentileOrZero(99.9) / 1000.0, h.GetMaxValue() / 1000.0, h.MeanOrZero() / 1000.0);
}
