namespace SmsGateway.Status;

/// <summary>The bound of the embedded status store (issue 12 item 8): the newest <see cref="MaxMessages"/> messages are kept.</summary>
public sealed partial class InMemoryStatusStore
{
    private readonly Queue<Guid> _arrivals = new();

    /// <summary>Creates a store that keeps at most <paramref name="maxMessages"/> messages (with their histories).</summary>
    /// <param name="maxMessages">Default 1,000,000.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxMessages"/> is below 1.</exception>
    public InMemoryStatusStore(int maxMessages)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxMessages, 1);
        MaxMessages = maxMessages;
    }

    /// <summary>Creates a store that keeps at most 1,000,000 messages.</summary>
    public InMemoryStatusStore()
        : this(1_000_000)
    {
    }

    /// <summary>Most messages kept; the oldest arrivals are dropped past it.</summary>
    public int MaxMessages { get; }

    /// <summary>Messages dropped so far to stay within <see cref="MaxMessages"/>.</summary>
    public long Evicted { get; private set; }

    // Under the write lock.
    private void Arrived(Guid messageId) => _arrivals.Enqueue(messageId);

    // Under the write lock: drops the oldest arrivals in one sweep of a tenth of a percent, so the per-user lists are
    // rewritten once per thousand arrivals rather than once per message.
    private void EvictOverflow()
    {
        if (_messages.Count <= MaxMessages)
        {
            return;
        }

        int drop = Math.Max(1, MaxMessages / 1000) + (_messages.Count - MaxMessages - 1);
        var byUser = new Dictionary<string, HashSet<Guid>>(StringComparer.Ordinal);
        for (int i = 0; i < drop && _arrivals.TryDequeue(out var id); i++)
        {
            if (_messages.Remove(id, out var record))
            {
                var user = record.UserId;
                if (!byUser.TryGetValue(user, out var ids))
                {
                    byUser[user] = ids = [];
                }

                ids.Add(id);
                Evicted++;
            }
        }

        foreach (var (user, ids) in byUser)
        {
            var list = _byUser[user];
            list.RemoveAll(ids.Contains);
            if (list.Count == 0)
            {
                _byUser.Remove(user);
            }
        }
    }
}
