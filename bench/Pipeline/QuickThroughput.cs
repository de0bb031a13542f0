using System.Diagnostics;

namespace SmsGateway.Bench.Pipeline;

/// <summary>
/// A fast stopwatch run of <see cref="EmbeddedGraphBenchmark"/> (no BenchmarkDotNet harness): alternates baseline and graph
/// runs and prints each run's msg/s and the medians. <c>dotnet run -c Release --project bench -- graph [messages] [runs]</c>.
/// </summary>
public static class QuickThroughput
{
    public static async Task RunAsync(string[] args)
    {
        int messages = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 50_000;
        int runs = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 5;
        var roles = args.Length > 3 && args[3] == "accept" ? PipelineRoles.Gateway : PipelineRoles.All;
        var bench = new EmbeddedGraphBenchmark { Messages = messages, Concurrency = 1024, Roles = roles };
        bench.Setup();
        await bench.ChannelBaseline();
        await bench.EmbeddedGraph();
        var baseline = new List<double>();
        var graph = new List<double>();
        for (int r = 0; r < runs; r++)
        {
            var sw = Stopwatch.StartNew();
            await bench.ChannelBaseline();
            baseline.Add(messages / sw.Elapsed.TotalSeconds);
            sw.Restart();
            await bench.EmbeddedGraph();
            graph.Add(messages / sw.Elapsed.TotalSeconds);
            Console.WriteLine($"run {r + 1}: baseline {baseline[^1]:N0} msg/s, graph {graph[^1]:N0} msg/s");
        }

        double mb = Median(baseline), mg = Median(graph);
        Console.WriteLine($"median of {runs}: Channel<T> baseline {mb:N0} msg/s; embedded graph {mg:N0} msg/s; graph/baseline = {mg / mb:P0}");
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }
}
