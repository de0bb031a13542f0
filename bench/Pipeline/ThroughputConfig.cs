using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;

namespace SmsGateway.Bench.Pipeline;

/// <summary>
/// Whole-flow benchmarks: one invocation per iteration (each builds a fresh graph) and a few iterations. Mean is per
/// invocation of the benchmark's whole message count (no OperationsPerInvoke): divide the count by Mean for msg/s.
/// </summary>
public sealed class ThroughputConfig : ManualConfig
{
    /// <summary>One warm-up and five measured iterations of one invocation each; times in milliseconds.</summary>
    public ThroughputConfig()
    {
        AddJob(Job.Default.WithWarmupCount(1).WithIterationCount(5).WithInvocationCount(1).WithUnrollFactor(1).WithId("flow"));
        SummaryStyle = SummaryStyle.Default.WithTimeUnit(Perfolizer.Horology.TimeUnit.Millisecond);
    }
}
