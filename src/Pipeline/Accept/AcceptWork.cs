using System.Diagnostics;
using SmsGateway.Model;

namespace SmsGateway.Accept;

/// <summary>
/// One priced message on its way through the accept half of the graph (docs/architecture.md "The Dataflow graph"), with
/// the caller's answer. Completed exactly once, by whichever step settles it (queued, scheduled, refused).
/// </summary>
internal sealed class AcceptWork(SmsMessage message, long startTimestamp, ActivityContext trace)
{
    /// <summary>The validated, routed and priced message.</summary>
    public SmsMessage Message => message;

    /// <summary>When the request arrived (<see cref="Stopwatch.GetTimestamp"/>): the accept deadline and latency start here.</summary>
    public long StartTimestamp => startTimestamp;

    /// <summary>The request's accept span (default when not traced): parent of this message's reserve and publish spans.</summary>
    public ActivityContext Trace => trace;

    /// <summary>The caller's answer; set once (<c>TrySetResult</c>) by the step that settles the request.</summary>
    public TaskCompletionSource<AcceptResult> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>When to publish (schedule store until then); null to publish now.</summary>
    public DateTimeOffset? SendAt { get; init; }
}
