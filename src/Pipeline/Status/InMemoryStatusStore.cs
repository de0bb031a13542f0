using SmsGateway.Model;

namespace SmsGateway.Status;

/// <summary>
/// The embedded status store: messages and their histories in memory, indexed per user in id (= time) order.
/// Same contract as the PostgreSQL store (idempotent batches, current status by <see cref="StatusPrecedence"/>).
/// </summary>
/// <remarks>Thread-safe (one reader-writer lock). Keeps the newest <see cref="MaxMessages"/> messages: past it, the oldest
/// tenth of a percent (at least one) is dropped in arrival order, so memory stays bounded (README "Durability", embedded
/// profile); meant for the embedded profile and tests.</remarks>
public sealed partial class InMemoryStatusStore : IStatusStore
{
    private readonly ReaderWriterLockSlim _lock = new();
    private readonly Dictionary<Guid, Record> _messages = new();
    // Per user, message ids in ascending (= time) order. A sorted list rather than a SortedSet: ids are UUIDv7, so they
    // almost always arrive in order and the insert is an append (the set's tree insert showed in profiles of the graph).
    private readonly Dictionary<string, List<Guid>> _byUser = new(StringComparer.Ordinal);
    private readonly Dictionary<Guid, List<Guid>> _byBatch = new();

    /// <inheritdoc />
    public ValueTask WriteBatchAsync(IReadOnlyList<StatusEvent> events, CancellationToken cancellationToken)
    {
        _lock.EnterWriteLock();
        try
        {
            foreach (var e in events)
            {
                if (!_messages.TryGetValue(e.MessageId, out var record))
                {
                    record = new Record(e);
                    _messages.Add(e.MessageId, record);
                    Arrived(e.MessageId);
                    if (!_byUser.TryGetValue(e.UserId, out var ids))
                    {
                        _byUser[e.UserId] = ids = [];
                    }

                    InsertSorted(ids, e.MessageId);
                }

                record.Apply(e);
                if (e.BatchId is { } batch && record.BatchId is null)
                {
                    record.BatchId = batch;
                    if (!_byBatch.TryGetValue(batch, out var members))
                    {
                        _byBatch[batch] = members = [];
                    }

                    members.Add(e.MessageId);
                }

                record.Text ??= e.Text;
            }

            EvictOverflow();
        }
        finally
        {
            _lock.ExitWriteLock();
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<UserReport> GetReportAsync(ReportQuery query, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(query.Limit, 1);
        var counts = Enum.GetValues<MessageStatus>().ToDictionary(s => s, _ => 0L);
        var page = new List<MessageSummary>(Math.Min(query.Limit, 1000));
        Guid? next = null;
        _lock.EnterReadLock();
        try
        {
            if (_byUser.TryGetValue(query.UserId, out var ids))
            {
                for (int i = ids.Count - 1; i >= 0; i--)
                {
                    var id = ids[i];
                    var r = _messages[id];
                    if ((query.From is { } from && r.AcceptedAt < from) || (query.To is { } to && r.AcceptedAt >= to) || (query.Filtered && !query.Matches(r.Summary())))
                    {
                        continue;
                    }

                    counts[r.Current]++;
                    if ((query.Status is { } s && r.Current != s) || (query.Before is { } before && id.CompareTo(before) >= 0))
                    {
                        continue;
                    }

                    if (page.Count < query.Limit)
                    {
                        page.Add(r.Summary());
                    }
                    else if (next is null)
                    {
                        next = page[^1].Id;
                    }
                }
            }
        }
        finally
        {
            _lock.ExitReadLock();
        }

        return ValueTask.FromResult(new UserReport(query.UserId, counts, page, next));
    }

    /// <inheritdoc />
    public ValueTask<MessageHistory?> GetMessageAsync(Guid messageId, string? userId, CancellationToken cancellationToken)
    {
        _lock.EnterReadLock();
        try
        {
            if (!_messages.TryGetValue(messageId, out var r) || (userId is not null && r.UserId != userId))
            {
                return ValueTask.FromResult<MessageHistory?>(null);
            }

            return ValueTask.FromResult<MessageHistory?>(MessageHistory.Of(r.Summary(), r.Events()));
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <inheritdoc />
    public ValueTask<BatchCounts?> GetBatchAsync(Guid batchId, CancellationToken cancellationToken)
    {
        _lock.EnterReadLock();
        try
        {
            if (!_byBatch.TryGetValue(batchId, out var members) || members.Count == 0)
            {
                return ValueTask.FromResult<BatchCounts?>(null);
            }

            var counts = Enum.GetValues<MessageStatus>().ToDictionary(s => s, _ => 0L);
            foreach (var id in members)
            {
                counts[_messages[id].Current]++;
            }

            return ValueTask.FromResult<BatchCounts?>(new BatchCounts(batchId, _messages[members[0]].UserId, counts, members.Count));
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    /// <inheritdoc />
    /// <remarks>Copies the range under the read lock, then yields it (the embedded store is memory already).</remarks>
    public async IAsyncEnumerable<MessageSummary> ExportAsync(ExportQuery query, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var rows = new List<MessageSummary>();
        _lock.EnterReadLock();
        try
        {
            if (_byUser.TryGetValue(query.UserId, out var ids))
            {
                foreach (var id in ids)
                {
                    var r = _messages[id];
                    if (r.AcceptedAt >= query.From && r.AcceptedAt < query.To)
                    {
                        rows.Add(r.Summary());
                    }
                }
            }
        }
        finally
        {
            _lock.ExitReadLock();
        }

        foreach (var row in rows)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return row;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    private static void InsertSorted(List<Guid> ids, Guid id)
    {
        if (ids.Count == 0 || ids[^1].CompareTo(id) < 0)
        {
            ids.Add(id);
            return;
        }

        int at = ids.BinarySearch(id);
        if (at < 0)
        {
            ids.Insert(~at, id);
        }
    }

    // One message: the fields every event of the message repeats (user, MSISDN, operator, type, encoding, segments, cost,
    // accept time), taken from its first event, and its history as compact entries, as the PostgreSQL store keeps one row
    // per event (status, attempt, time, error code) rather than the decoded events. A decoded event carries its own copies
    // of the user id, MSISDN and operator strings; keeping each one would keep about three events' worth of objects per
    // message alive into the oldest GC generation (bench/README.md "The embedded status store: a compact history"). Neither
    // the first event nor a list around the entries is kept: the fields and one array (bench/README.md "Where the embedded
    // graph allocates, and three cuts").
    private sealed class Record(StatusEvent first)
    {
        private readonly Guid _messageId = first.MessageId;
        private readonly string _msisdn = first.Msisdn;
        private readonly string _operator = first.Operator;
        private readonly MessageType _type = first.Type;
        private readonly SmsEncoding _encoding = first.Encoding;
        private readonly int _segments = first.Segments;
        private readonly long _cost = first.Cost;

        // Most messages get three events (queued, sent, delivered); a retry or a late duplicate grows the array.
        private HistoryEntry[] _history = new HistoryEntry[3];
        private int _count;
        private int _latest; // index in _history of the entry that decides the current status

        public string UserId { get; } = first.UserId;

        public DateTimeOffset AcceptedAt { get; } = first.AcceptedAt;

        public MessageStatus Current => _history[_latest].Status;

        public Guid? BatchId { get; set; }

        public string? Text { get; set; }

        /// <summary>The history as events (oldest first), rebuilt from the message's fields, as the PostgreSQL store does.</summary>
        public List<StatusEvent> Events()
        {
            var events = new List<StatusEvent>(_count);
            foreach (var h in _history.Take(_count).OrderBy(h => h.At).ThenBy(h => h.Attempt).ThenBy(h => h.Status))
            {
                events.Add(new StatusEvent(_messageId, UserId, h.Status, h.Attempt, h.At, _msisdn, _operator, _type, _encoding, _segments,
                    _cost, AcceptedAt, h.ErrorCode));
            }

            return events;
        }

        public void Apply(StatusEvent e)
        {
            for (int i = 0; i < _count; i++)
            {
                if (_history[i].Status == e.Status && _history[i].Attempt == e.Attempt)
                {
                    return;
                }
            }

            if (_count == _history.Length)
            {
                Array.Resize(ref _history, _count * 2);
            }

            _history[_count] = HistoryEntry.Of(e);
            if (_count == 0 || StatusPrecedence.Supersedes(e, _history[_latest].Status, _history[_latest].Attempt))
            {
                _latest = _count;
            }

            _count++;
        }

        public MessageSummary Summary()
        {
            ref readonly var latest = ref _history[_latest];
            return new(_messageId, UserId, _msisdn, _operator, _type, _encoding, _segments, _cost, AcceptedAt, latest.Status, latest.Attempt,
                latest.At, latest.ErrorCode, BatchId, Text);
        }
    }

    // One stored event: what differs between the events of one message.
    private readonly record struct HistoryEntry(MessageStatus Status, int Attempt, DateTimeOffset At, string? ErrorCode)
    {
        public static HistoryEntry Of(StatusEvent e) => new(e.Status, e.Attempt, e.At, e.ErrorCode);
    }
}
