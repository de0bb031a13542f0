using SmsGateway.Model;

namespace SmsGateway.Scheduling;

/// <summary>A message in the schedule store.</summary>
/// <param name="Message">The reserved message as it will be published.</param>
/// <param name="SendAt">When it is due (UTC).</param>
/// <param name="Released">True once the scheduler published it.</param>
public sealed record ScheduledEntry(SmsMessage Message, DateTimeOffset SendAt, bool Released);
