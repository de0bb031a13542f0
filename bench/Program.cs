using BenchmarkDotNet.Running;
using SmsGateway.Bench.Pipeline;
using SmsGateway.Bench.Smpp;

// BenchmarkDotNet: `dotnet run -c Release --project bench -- --filter '*'` (add `--exporters github` for Markdown;
// results land in BenchmarkDotNet.Artifacts/results). Quick stopwatch run of the embedded graph: `-- graph [messages] [runs]`.
// SMPP sends per second through one bind at windows 1/10/50 beside the npm smpp client's ceiling: `-- smpp [messages] [runs]`.
if (args.Length > 0 && args[0] == "graph")
{
    await QuickThroughput.RunAsync(args);
    return;
}

if (args.Length > 0 && args[0] == "smpp")
{
    await SmppThroughput.RunAsync(args);
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
