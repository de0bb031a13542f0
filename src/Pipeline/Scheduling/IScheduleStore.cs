using SmsGateway.Model;

namespace SmsGateway.Scheduling;

/// <summary>
/// Where reserved messages with a future <c>send_at</c> wait until they are due (README "Scheduling, validity and cancel").
/// The embedded profile keeps them in memory (lost with the process, with its in-memory ledger); the full profile in
/// PostgreSQL (<c>scheduled_messages</c>), released by the scheduler that holds the <c>scheduler</c> lock.
/// </summary>
/// <remarks>Thread-safe. Every method is idempotent by message id.</remarks>
public interface IScheduleStore
{
    /// <summary>Stores <paramref name="message"/> until <paramref name="sendAt"/>. Storing the same id again changes nothing.</summary>
    /// <exception cref="ScheduleStoreUnavailableException">The store could not be reached; nothing need be stored.</exception>
    ValueTask AddAsync(SmsMessage message, DateTimeOffset sendAt, CancellationToken cancellationToken);

    /// <summary>The stored message (waiting or already released), or null when the store never had it or forgot it.</summary>
    /// <exception cref="ScheduleStoreUnavailableException">The store could not be reached.</exception>
    ValueTask<ScheduledEntry?> FindAsync(Guid messageId, CancellationToken cancellationToken);

    /// <summary>Removes a message that is still waiting, so it is never released; false when it was released or is unknown.</summary>
    /// <exception cref="ScheduleStoreUnavailableException">The store could not be reached.</exception>
    ValueTask<bool> RemoveAsync(Guid messageId, CancellationToken cancellationToken);

    /// <summary>
    /// Whether a waiting message may be due at <paramref name="now"/>: one cheap read, without the <c>scheduler</c> lock, so
    /// that an idle scheduler does not take the lock on every poll (README "Scheduling, validity and cancel"). A hint: it
    /// may be stale by the time the caller acts, and it may answer true for a message that is no longer waiting;
    /// <see cref="ReleaseDueAsync"/>, under the lock, decides.
    /// </summary>
    /// <exception cref="ScheduleStoreUnavailableException">The store could not be reached.</exception>
    ValueTask<bool> AnyDueAsync(DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Releases at most <paramref name="max"/> waiting messages due at <paramref name="now"/> (earliest first): calls
    /// <paramref name="publish"/> with them, then marks them released, as one step. When <paramref name="publish"/> throws,
    /// none is marked and they stay waiting (a repeat publishes the same message ids: brokers de-duplicate by them).
    /// </summary>
    /// <param name="now">The scheduler's clock.</param>
    /// <param name="max">Batch size, &gt;= 1.</param>
    /// <param name="fencingToken">Token of the caller's <c>scheduler</c> lock grant; a token older than one the store already saw releases nothing.</param>
    /// <param name="publish">Publishes the batch; completes once the broker stored every message.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="ScheduleStoreUnavailableException">The store could not be reached.</exception>
    ValueTask<ScheduleRelease> ReleaseDueAsync(DateTimeOffset now, int max, long fencingToken,
        Func<IReadOnlyList<SmsMessage>, CancellationToken, ValueTask> publish, CancellationToken cancellationToken);
}
