using BenchmarkDotNet.Running;
using SmsGateway.Bench.Pipeline;
using SmsGateway.Bench.Redis;
using SmsGateway.Bench.Smpp;

// BenchmarkDotNet: `dotnet run -c Release --project bench -- --filter '*'` (add `--exporters github` for Markdown;
// results land in BenchmarkDotNet.Artifacts/results). Quick stopwatch run of the embedded graph: `-- graph [messages] [runs]`.
// SMPP sends per second through one bind at windows 1/10/50 beside the npm smpp client's ceiling: `-- smpp [messages] [runs]`.
if (args.Length > 0 && args[0] == "graph")
{
    await QuickThroughput.RunAsync(args);
    return;
}

// Which types the embedded graph allocates, from the runtime's allocation ticks: `-- allocations [messages] [top]`.
if (args.Length > 0 && args[0] == "allocations")
{
    await SmsGateway.Bench.Pipeline.AllocationSampler.RunAsync(args);
    return;
}

// Managed heap the embedded status store keeps per message: `-- store-memory [messages]`.
if (args.Length > 0 && args[0] == "store-memory")
{
    await StoreMemory.RunAsync(args);
    return;
}

if (args.Length > 0 && args[0] == "smpp")
{
    await SmppThroughput.RunAsync(args);
    return;
}

// Lock grant latency with one of three Redis lock nodes frozen (SIGSTOP): `-- frozen-lock [grants]` (bench/Redis/README.md).
if (args.Length > 0 && args[0] == "frozen-lock")
{
    await FrozenLockNode.RunAsync(args);
    return;
}

// Stopwatch run of the Redis reservation, lock per batch: `-- redis-batch [rounds]` (bench/Redis/README.md).
if (args.Length > 0 && args[0] == "redis-batch")
{
    await QuickReservation.RunAsync(args);
    return;
}

// The in-memory transport's duplicate filter over a window of ids: `-- dedup [ids] [runs]` (bench/README.md).
if (args.Length > 0 && args[0] == "dedup")
{
    DuplicateFilterCost.Run(args);
    return;
}

// librdkafka's mock cluster as a process of its own, for full-stack runs over Kafka: `-- kafka-mock [brokers]` (bench/README.md).
if (args.Length > 0 && args[0] == "kafka-mock")
{
    await SmsGateway.Bench.Kafka.KafkaMockHost.RunAsync(args);
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
