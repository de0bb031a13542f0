namespace SmsGateway.Scheduling;

/// <summary>Result of <see cref="IScheduleStore.ReleaseDueAsync"/>.</summary>
/// <param name="Released">Messages published and marked released.</param>
/// <param name="StaleFencingToken">True when the caller's fencing token was older than one the store already saw (nothing released).</param>
public readonly record struct ScheduleRelease(int Released, bool StaleFencingToken);
