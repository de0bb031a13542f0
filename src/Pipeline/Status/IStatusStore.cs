using SmsGateway.Model;

namespace SmsGateway.Status;

/// <summary>
/// Durable store of status events and the report queries over them (DESIGN.md "The flow", status path).
/// </summary>
/// <remarks>Thread-safe. Writes are idempotent by (message id, status, attempt): writing a batch twice leaves one row per event.</remarks>
public interface IStatusStore
{
    /// <summary>Stores a batch atomically: when the call returns, every event is durable; when it throws, none need be.</summary>
    /// <exception cref="StatusStoreUnavailableException">The store could not be reached or the write failed.</exception>
    ValueTask WriteBatchAsync(IReadOnlyList<StatusEvent> events, CancellationToken cancellationToken);

    /// <summary>Per-status counts and one page of the user's messages, newest first.</summary>
    /// <exception cref="StatusStoreUnavailableException">The store could not be reached.</exception>
    ValueTask<UserReport> GetReportAsync(ReportQuery query, CancellationToken cancellationToken);

    /// <summary>One message and its status history (oldest first); null when unknown, or not owned by <paramref name="userId"/> when one is given.</summary>
    /// <exception cref="StatusStoreUnavailableException">The store could not be reached.</exception>
    ValueTask<MessageHistory?> GetMessageAsync(Guid messageId, string? userId, CancellationToken cancellationToken);

    /// <summary>Counts per current status of the batch's stored messages; null when none of them is stored (yet).</summary>
    /// <exception cref="StatusStoreUnavailableException">The store could not be reached.</exception>
    ValueTask<BatchCounts?> GetBatchAsync(Guid batchId, CancellationToken cancellationToken);

    /// <summary>
    /// The user's messages accepted in [From, To), oldest first, streamed: rows are produced while the caller reads them,
    /// never collected into one list first (PostgreSQL: one data reader over the whole range).
    /// </summary>
    /// <exception cref="StatusStoreUnavailableException">The store could not be reached (also while enumerating).</exception>
    IAsyncEnumerable<MessageSummary> ExportAsync(ExportQuery query, CancellationToken cancellationToken);
}

/// <summary>The status store failed; the operation may be retried.</summary>
public sealed class StatusStoreUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public StatusStoreUnavailableException(string message, Exception? innerException = null) : base(message, innerException)
    {
    }
}
