using SmsGateway.Model;

namespace SmsGateway.Scheduling;

/// <summary>
/// The embedded schedule store: a priority queue by <c>send_at</c> in this process. Nothing survives the process (nor
/// does the embedded ledger that holds the reservations).
/// </summary>
/// <remarks>Thread-safe (one monitor). Released entries are kept for owner look-ups for <see cref="ReleasedRetention"/>.</remarks>
public sealed class InMemoryScheduleStore : IScheduleStore
{
    /// <summary>How long a released message stays findable (for <c>DELETE /messages/{id}</c> owner look-ups). 1 h.</summary>
    public static readonly TimeSpan ReleasedRetention = TimeSpan.FromHours(1);

    private readonly Dictionary<Guid, Entry> _entries = new();
    private readonly PriorityQueue<Guid, DateTimeOffset> _due = new();
    private readonly Queue<(Guid Id, DateTimeOffset At)> _released = new();
    private long _lastFencingToken;

    /// <summary>Messages waiting (not yet released).</summary>
    public int Waiting
    {
        get
        {
            lock (_entries)
            {
                return _entries.Values.Count(e => !e.Released && !e.Taken);
            }
        }
    }

    /// <inheritdoc />
    public ValueTask AddAsync(SmsMessage message, DateTimeOffset sendAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        lock (_entries)
        {
            if (_entries.TryAdd(message.Id, new Entry(message, sendAt)))
            {
                _due.Enqueue(message.Id, sendAt);
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<ScheduledEntry?> FindAsync(Guid messageId, CancellationToken cancellationToken)
    {
        lock (_entries)
        {
            return ValueTask.FromResult(_entries.TryGetValue(messageId, out var e) ? new ScheduledEntry(e.Message, e.SendAt, e.Released || e.Taken) : null);
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> RemoveAsync(Guid messageId, CancellationToken cancellationToken)
    {
        lock (_entries)
        {
            // The queue entry stays and is skipped when it comes up.
            return ValueTask.FromResult(_entries.TryGetValue(messageId, out var e) && !e.Released && !e.Taken && _entries.Remove(messageId));
        }
    }

    /// <inheritdoc />
    /// <remarks>Looks at the earliest queue entry only: a removed or released message's entry is dropped by the next release.</remarks>
    public ValueTask<bool> AnyDueAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        lock (_entries)
        {
            return ValueTask.FromResult(_due.TryPeek(out _, out var at) && at <= now);
        }
    }

    /// <inheritdoc />
    public async ValueTask<ScheduleRelease> ReleaseDueAsync(DateTimeOffset now, int max, long fencingToken,
        Func<IReadOnlyList<SmsMessage>, CancellationToken, ValueTask> publish, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        var batch = new List<Entry>();
        lock (_entries)
        {
            if (fencingToken < _lastFencingToken)
            {
                return new ScheduleRelease(0, StaleFencingToken: true);
            }

            _lastFencingToken = fencingToken;
            while (batch.Count < max && _due.TryPeek(out var id, out var at) && at <= now)
            {
                _due.Dequeue();
                if (_entries.TryGetValue(id, out var e) && !e.Released && !e.Taken)
                {
                    e.Taken = true; // a cancel from now on finds it released and goes to the ledger, which the dispatcher checks
                    batch.Add(e);
                }
            }

            while (_released.TryPeek(out var old) && now - old.At > ReleasedRetention)
            {
                _entries.Remove(_released.Dequeue().Id);
            }
        }

        if (batch.Count == 0)
        {
            return new ScheduleRelease(0, false);
        }

        try
        {
            await publish(batch.ConvertAll(e => e.Message), cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            lock (_entries)
            {
                foreach (var e in batch)
                {
                    e.Taken = false;
                    _due.Enqueue(e.Message.Id, e.SendAt);
                }
            }

            throw;
        }

        lock (_entries)
        {
            foreach (var e in batch)
            {
                e.Released = true;
                _released.Enqueue((e.Message.Id, now));
            }
        }

        return new ScheduleRelease(batch.Count, false);
    }

    private sealed class Entry(SmsMessage message, DateTimeOffset sendAt)
    {
        public SmsMessage Message => message;

        public DateTimeOffset SendAt => sendAt;

        public bool Taken { get; set; }

        public bool Released { get; set; }
    }
}
