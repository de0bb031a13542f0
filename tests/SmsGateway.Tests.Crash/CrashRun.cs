using System.Diagnostics;
using Xunit.Abstractions;
using Xunit.Sdk;

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

/// <summary>Collection fixture of <see cref="CrashCollection"/>: prints the summary when the last case finished.</summary>
public sealed class CrashRun(IMessageSink sink) : IDisposable
{
    private readonly Stopwatch _watch = Stopwatch.StartNew();

    /// <summary>Prints the table.</summary>
    public void Dispose()
    {
        var text = $"crash suite: {_watch.Elapsed.TotalSeconds:0} s; {CrashSummary.PathName}\n{CrashSummary.Table()}";
        sink.OnMessage(new DiagnosticMessage(text));
        Console.WriteLine(text);
    }
}
