using System.Diagnostics.Metrics;

namespace SmsGateway.Host.Accounts;

/// <summary>
/// Counters of the caches of store rows on the accept path (<see cref="RevalidatingCache{TKey, TValue}"/>), on the pipeline's
/// meter (<see cref="PipelineMetrics.MeterName"/>), each tagged <c>cache</c>.
/// </summary>
/// <remarks>Thread-safe.</remarks>
internal static class StoreCacheMetrics
{
    private static readonly Meter Meter = new(PipelineMetrics.MeterName, "1.0");

    private static readonly Counter<long> ReadFailures = Meter.CreateCounter<long>("sms.store_cache.read_failures", "{read}",
        "Store reads of a cache that failed (foreground or background), by cache");

    private static readonly Counter<long> StaleServes = Meter.CreateCounter<long>("sms.store_cache.stale_served", "{request}",
        "Requests served a copy older than the cache's TTL while it is refreshed or the store is down, by cache");

    private static readonly Counter<long> Refusals = Meter.CreateCounter<long>("sms.store_cache.unavailable", "{request}",
        "Requests refused because the cache held no usable copy and the store did not answer in time, by cache");

    public static void ReadFailed(string cache) => ReadFailures.Add(1, new KeyValuePair<string, object?>("cache", cache));

    public static void StaleServed(string cache) => StaleServes.Add(1, new KeyValuePair<string, object?>("cache", cache));

    public static void Refused(string cache) => Refusals.Add(1, new KeyValuePair<string, object?>("cache", cache));
}
