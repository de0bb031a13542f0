using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace SmsGateway.Bench.Pipeline;

/// <summary>
/// Which types the embedded graph allocates: listens in-process to the runtime's <c>GCAllocationTick</c> event (one sample
/// per ~100 KB allocated, naming the type of the object that crossed the mark) during one graph run and prints the types
/// by their share of the samples. <c>dotnet run -c Release --project bench -- allocations [messages] [top]</c>.
/// A sampled share estimates a type's share of the bytes allocated; it says nothing of lifetime.
/// </summary>
public sealed class AllocationSampler : EventListener
{
    private const int GcAllocationTickId = 10;
    private readonly ConcurrentDictionary<string, long> _bytes = new();
    private volatile bool _on;

    public static async Task RunAsync(string[] args)
    {
        int messages = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 200_000;
        int top = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 30;
        var bench = new EmbeddedGraphBenchmark { Messages = messages, Concurrency = 1024 };
        bench.Setup();
        await bench.EmbeddedGraph(); // warm-up: JIT and first-use allocations stay out of the sample
        using var sampler = new AllocationSampler();
        long before = GC.GetTotalAllocatedBytes(false);
        sampler._on = true;
        await bench.EmbeddedGraph();
        sampler._on = false;
        long total = GC.GetTotalAllocatedBytes(false) - before;
        long sampled = sampler._bytes.Values.Sum();
        Console.WriteLine($"{messages:N0} messages, {total / messages:N0} B allocated per message; sampled {sampled / 1024 / 1024:N0} MiB");
        foreach (var (type, bytes) in sampler._bytes.OrderByDescending(p => p.Value).Take(top))
        {
            Console.WriteLine($"{100.0 * bytes / sampled,6:N1} %  {(double)total / messages * bytes / sampled,7:N0} B/msg  {type}");
        }
    }

    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(source, EventLevel.Verbose, (EventKeywords)0x1); // GC keyword: allocation ticks are verbose
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        if (!_on || e.EventId != GcAllocationTickId || e.Payload is null)
        {
            return;
        }

        int typeIndex = e.PayloadNames!.IndexOf("TypeName");
        int amountIndex = e.PayloadNames.IndexOf("AllocationAmount64");
        if (typeIndex < 0)
        {
            return;
        }

        long amount = amountIndex >= 0 ? Convert.ToInt64(e.Payload[amountIndex], System.Globalization.CultureInfo.InvariantCulture) : 100_000;
        _bytes.AddOrUpdate((string)e.Payload[typeIndex]!, amount, (_, b) => b + amount);
    }
}
