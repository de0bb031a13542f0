namespace SmsGateway.Tests.Crash;

/// <summary>
/// The crash suite's one test collection: the cases run one after another (each owns its servers and injects faults into
/// them; the machine has 2 cores), and at the end the whole <see cref="CrashSummary"/> table and the suite's wall time
/// go to the runner's output (a diagnostic message; <c>xunit.runner.json</c> turns them on) and to standard output.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class CrashCollection : ICollectionFixture<CrashRun>
{
    /// <summary>Collection name.</summary>
    public const string Name = "crash";
}
