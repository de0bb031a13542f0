using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.CsProj;
using BenchmarkDotNet.Toolchains.DotNetCli;

namespace SmsGateway.Bench.Nats;

/// <summary>
/// Out-of-process runs with a 10 min build timeout: on the shared 2-core machine the generated project (which references
/// every project) takes longer than BenchmarkDotNet's default 2 min to build, and <c>--inProcess</c> does not await the
/// async <c>[GlobalSetup]</c> that starts nats-server.
/// </summary>
public sealed class NatsBenchConfig : ManualConfig
{
    /// <summary>Adds the toolchain with the longer timeout to every job given on the command line.</summary>
    public NatsBenchConfig()
    {
        var toolchain = CsProjCoreToolchain.From(new NetCoreAppSettings("net10.0", null, ".NET 10.0", timeout: TimeSpan.FromMinutes(10)));
        AddJob(Job.ShortRun.WithToolchain(toolchain).AsDefault());
    }
}
