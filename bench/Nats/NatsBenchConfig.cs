using BenchmarkDotNet.Configs;

namespace SmsGateway.Bench.Nats;

/// <summary>
/// Out-of-process runs with a 10 min build timeout: on the shared 2-core machine the generated project (which references
/// every project) takes longer than BenchmarkDotNet's default 2 min to build, and <c>--inProcess</c> does not await the
/// async <c>[GlobalSetup]</c> that starts nats-server.
/// </summary>
public sealed class NatsBenchConfig : ManualConfig
{
    /// <summary>Sets the build timeout; jobs come from the command line (e.g. <c>--job short</c>).</summary>
    public NatsBenchConfig() => BuildTimeout = TimeSpan.FromMinutes(10);
}
