using System.Diagnostics.Metrics;

namespace SmsGateway.Tests.Unit;

/// <summary>
/// The sum of one counter of one meter (a pipeline's own, <c>pipeline.Metrics.Meter</c>: other tests' pipelines running
/// at the same time share the meter's name, not the instance), from construction until disposal.
/// </summary>
internal sealed class CounterTotal : IDisposable
{
    private readonly MeterListener _listener = new();
    private long _total;

    public CounterTotal(Meter meter, string name)
    {
        _listener.InstrumentPublished = (i, l) =>
        {
            if (i.Meter == meter && i.Name == name)
            {
                l.EnableMeasurementEvents(i);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref _total, value));
        _listener.Start();
    }

    /// <summary>What the counter added up to so far.</summary>
    public long Value => Interlocked.Read(ref _total);

    public void Dispose() => _listener.Dispose();
}
