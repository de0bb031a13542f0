using SmsGateway.Model;

namespace SmsGateway.Status;

/// <summary>
/// Picks a message's current status from events that may arrive out of order: the event with the greatest
/// (attempt, <see cref="Rank"/>) wins. The PostgreSQL store applies the same order with its <c>sms_status_rank</c>
/// function (src/Postgres/Migrations/0200_schedule.sql).
/// </summary>
public static class StatusPrecedence
{
    /// <summary>True when <paramref name="candidate"/> should replace <paramref name="current"/> as the current status.</summary>
    public static bool Supersedes(StatusEvent candidate, MessageStatus current, int currentAttempt) =>
        candidate.Attempt > currentAttempt || (candidate.Attempt == currentAttempt && Rank(candidate.Status) > Rank(current));

    /// <summary>
    /// The precedence of a status within one attempt: four times the declaration order for the members 0-8
    /// (<c>accepted</c> 0 … <c>rejected</c> 32), <c>scheduled</c> 2 (after <c>accepted</c>, before <c>queued</c>), <c>expired</c> 29 and
    /// <c>canceled</c> 30 (after <c>failed</c>, before <c>rejected</c>).
    /// </summary>
    public static int Rank(MessageStatus status) => status switch
    {
        MessageStatus.Scheduled => 2,
        MessageStatus.Expired => 29,
        MessageStatus.Canceled => 30,
        _ => (int)status * 4,
    };
}
