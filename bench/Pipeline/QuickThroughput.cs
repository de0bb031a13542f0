using System.Diagnostics;

namespace SmsGateway.Bench.Pipeline;

/// <summary>
/// A fast stopwatch run of <see cref="EmbeddedGraphBenchmark"/> (no BenchmarkDotNet harness): alternates baseline and graph
/// runs and prints each run's msg/s and the medians. <c>dotnet run -c Release --project bench -- graph [messages] [runs] [accept|dispatch]</c>
/// (the last argument runs only the gateway role, or gateway and dispatcher without the status writer); after it, optional
/// <c>lane=N</c>, <c>inflight=N</c>, <c>partitions=N</c> and <c>queuedms=N</c> set <see cref="PipelineOptions.LaneCapacity"/>,
/// <see cref="PipelineOptions.MaxInFlight"/>, <see cref="PipelineOptions.AcceptPartitions"/> and
/// <see cref="PipelineOptions.QueuedEventDelay"/> (ms), and <c>warmup=S</c>
/// the warm-up in seconds (default 10); <c>graphonly=S</c> runs only graph rounds for S seconds after the warm-up and
/// measures nothing (for a profiler).
/// </summary>
/// <remarks>
/// Before the measured runs, baseline and graph runs alternate unmeasured for at least the warm-up time: with one round
/// of warm-up the graph's first measured runs still ran code the JIT had not yet recompiled at tier 1 (29.5, then 22.1,
/// then 13.8 µs CPU per message on 2026-12-05, bench/README.md "The graph benchmark measured the JIT's tier-up").
/// </remarks>
public static class QuickThroughput
{
    /// <summary>Runs the quick mode; <paramref name="args"/> as in the class summary (<c>args[0]</c> is <c>graph</c>).</summary>
    /// <exception cref="ArgumentException">An unknown <c>key=value</c> option.</exception>
    /// <exception cref="FormatException">A count or option value that is not an integer.</exception>
    public static async Task RunAsync(string[] args)
    {
        int messages = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 50_000;
        int runs = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 5;
        var roles = args.Length <= 3 ? PipelineRoles.All : args[3] switch
        {
            "accept" => PipelineRoles.Gateway,
            "dispatch" => PipelineRoles.Gateway | PipelineRoles.Dispatcher,
            _ => PipelineRoles.All,
        };
        // Optional lane=N and inflight=N (PipelineOptions.LaneCapacity, MaxInFlight): how much the graph holds in flight;
        // partitions=N: PipelineOptions.AcceptPartitions;
        // queuedms=N: PipelineOptions.QueuedEventDelay in ms (zero in memory unless set);
        // warmup=S: seconds of unmeasured rounds before the measured runs; graphonly=S: graph rounds only, for a profiler.
        var options = new PipelineOptions();
        var warmup = TimeSpan.FromSeconds(10);
        var graphOnly = TimeSpan.Zero;
        foreach (var arg in args.Skip(3).Where(a => a.Contains('=')))
        {
            int split = arg.IndexOf('=');
            var value = int.Parse(arg[(split + 1)..], System.Globalization.CultureInfo.InvariantCulture);
            switch (arg[..split])
            {
                case "lane":
                    options = options with { LaneCapacity = value };
                    break;
                case "inflight":
                    options = options with { MaxInFlight = value };
                    break;
                case "partitions":
                    options = options with { AcceptPartitions = value };
                    break;
                case "queuedms":
                    options = options with { QueuedEventDelay = TimeSpan.FromMilliseconds(value) };
                    break;
                case "warmup":
                    warmup = TimeSpan.FromSeconds(value);
                    break;
                case "graphonly":
                    graphOnly = TimeSpan.FromSeconds(value);
                    break;
                default:
                    throw new ArgumentException($"unknown option {arg} (lane=N, inflight=N, partitions=N, queuedms=N, warmup=S, graphonly=S)");
            }
        }

        var bench = new EmbeddedGraphBenchmark { Messages = messages, Concurrency = 1024, Roles = roles, Options = options };
        bench.Setup();
        var warming = Stopwatch.StartNew();
        int rounds = 0;
        do
        {
            await bench.ChannelBaseline();
            await bench.EmbeddedGraph();
            rounds++;
        }
        while (warming.Elapsed < warmup);

        Console.WriteLine($"warm-up: {rounds} rounds of baseline and graph in {warming.Elapsed.TotalSeconds:N1} s");
        if (graphOnly > TimeSpan.Zero)
        {
            // Only graph rounds, for a profiler attached to this process (perf, dotnet-trace); nothing is measured.
            var profiling = Stopwatch.StartNew();
            for (rounds = 0; profiling.Elapsed < graphOnly; rounds++)
            {
                await bench.EmbeddedGraph();
            }

            Console.WriteLine($"graph only: {rounds} rounds in {profiling.Elapsed.TotalSeconds:N1} s");
            return;
        }

        var baseline = new List<double>();
        var graph = new List<double>();
        for (int r = 0; r < runs; r++)
        {
            var b = await MeasureAsync(bench.ChannelBaseline, messages);
            var g = await MeasureAsync(bench.EmbeddedGraph, messages);
            baseline.Add(b.Rate);
            graph.Add(g.Rate);
            Console.WriteLine($"run {r + 1}: baseline {b.Rate:N0} msg/s ({b.CpuUs:N1} µs CPU/msg, {b.BytesPerMessage:N0} B/msg, {b.Gcs} GCs of which {b.Gen1} gen 1+, {b.PauseUs:N1} µs GC pause/msg), " +
                $"graph {g.Rate:N0} msg/s ({g.CpuUs:N1} µs CPU/msg, {g.BytesPerMessage:N0} B/msg, {g.Gcs} GCs of which {g.Gen1} gen 1+, {g.PauseUs:N1} µs GC pause/msg)");
        }

        double mb = Median(baseline), mg = Median(graph);
        Console.WriteLine($"median of {runs}: Channel<T> baseline {mb:N0} msg/s; embedded graph {mg:N0} msg/s; graph/baseline = {mg / mb:P0}");
    }

    // Rate, CPU time per message (all threads: the figure that survives a machine shared with other work), allocation
    // per message (all threads), GC count (all generations; those of gen 1 or 2 apart) and the time the GC paused the
    // threads, per message, of one run.
    private static async Task<(double Rate, double CpuUs, long BytesPerMessage, int Gcs, int Gen1, double PauseUs)> MeasureAsync(Func<Task<long>> run, int messages)
    {
        long allocated = GC.GetTotalAllocatedBytes(false);
        int gcs = GC.CollectionCount(0), gen1 = GC.CollectionCount(1);
        var pause = GC.GetTotalPauseDuration();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        await run();
        double rate = messages / sw.Elapsed.TotalSeconds;
        double cpuUs = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMicroseconds / messages;
        return (rate, cpuUs, (GC.GetTotalAllocatedBytes(false) - allocated) / messages, GC.CollectionCount(0) - gcs,
            GC.CollectionCount(1) - gen1, (GC.GetTotalPauseDuration() - pause).TotalMicroseconds / messages);
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }
}
