using SmsGateway.Model;

namespace SmsGateway.Serialization;

/// <summary>The status events of one <c>sms-status</c> payload, in either wire format (<see cref="StatusBatchJson"/>).</summary>
/// <param name="Events">The events, in the order written (at least one).</param>
/// <param name="TraceParents">The W3C <c>traceparent</c> of each event's publish span, parallel to <paramref name="Events"/>
/// (null entries where an event had none); null when the payload carries none (version 1, or an untraced batch).</param>
internal sealed record StatusBatch(IReadOnlyList<StatusEvent> Events, IReadOnlyList<string?>? TraceParents);
