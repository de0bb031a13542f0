using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;

namespace SmsGateway.Bench.Pipeline;

/// <summary>
/// Whole-flow benchmarks: one invocation per iteration (each builds a fresh graph), a few iterations, and the mean per
/// message (OperationsPerInvoke is set from the message count by dividing the result column in the summary).
/// </summary>
public sealed class ThroughputConfig : ManualConfig
{
    public ThroughputConfig()
    {
        AddJob(Job.Default.WithWarmupCount(1).WithIterationCount(5).WithInvocationCount(1).WithUnrollFactor(1).WithId("flow"));
        SummaryStyle = SummaryStyle.Default.WithTimeUnit(Perfolizer.Horology.TimeUnit.Millisecond);
    }
}
