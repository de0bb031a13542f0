using BenchmarkDotNet.Running;
using SmsGateway.Bench.Pipeline;

// BenchmarkDotNet: `dotnet run -c Release --project bench -- --filter '*'` (add `--exporters github` for Markdown;
// results land in BenchmarkDotNet.Artifacts/results). Quick stopwatch run of the embedded graph: `-- graph [messages] [runs]`.
if (args.Length > 0 && args[0] == "graph")
{
    await QuickThroughput.RunAsync(args);
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
