using System.Diagnostics;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace SmsGateway.Tests.Crash;

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
