using SmsGateway.Model;

namespace SmsGateway.Status;

/// <summary>
/// Picks a message's current status from events that may arrive out of order: the event with the greatest
/// (attempt, status order) wins, where the status order is the declaration order of <see cref="MessageStatus"/>.
/// </summary>
public static class StatusPrecedence
{
    /// <summary>True when <paramref name="candidate"/> should replace <paramref name="current"/> as the current status.</summary>
    public static bool Supersedes(StatusEvent candidate, MessageStatus current, int currentAttempt) =>
        candidate.Attempt > currentAttempt || (candidate.Attempt == currentAttempt && candidate.Status > current);
}
