using System.Globalization;

namespace SmsGateway.Transport.InMemory;

/// <summary>
/// The embedded transport's dead-letter store: the last <see cref="InMemoryTransportOptions.MaxDeadLetters"/> dead letters in
/// order; when full, the oldest is dropped (counted in <see cref="Dropped"/>). Nothing survives the process.
/// </summary>
/// <remarks>Thread-safe (one lock; dead-lettering is rare).</remarks>
internal sealed class InMemoryDeadLetters(int capacity)
{
    private readonly LinkedList<Entry> _entries = [];
    private readonly Lock _gate = new();
    private long _sequence;

    /// <summary>Dead letters dropped because the store was full.</summary>
    public long Dropped { get; private set; }

    public void Add(InMemoryEnvelope envelope, string reason, int deliveries, DateTimeOffset now)
    {
        lock (_gate)
        {
            var id = (++_sequence).ToString(CultureInfo.InvariantCulture);
            _entries.AddLast(new Entry(new DeadLetter(id, envelope.Topic, reason, now, envelope.Payload.Length, envelope.Key), envelope, deliveries));
            if (_entries.Count > capacity)
            {
                _entries.RemoveFirst();
                Dropped++;
            }
        }
    }

    public IReadOnlyList<DeadLetter> List(string? topic, int limit)
    {
        lock (_gate)
        {
            return [.. _entries.Where(e => topic is null || e.Letter.Topic == topic).Take(limit).Select(e => e.Letter)];
        }
    }

    /// <summary>Removes and returns the matching entries (all of <paramref name="topic"/> when <paramref name="ids"/> is empty, at most <paramref name="max"/>).</summary>
    public List<(DeadLetter Letter, InMemoryEnvelope Envelope)> Take(string? topic, IReadOnlyCollection<string>? ids, int max)
    {
        var wanted = ids is { Count: > 0 } ? new HashSet<string>(ids, StringComparer.Ordinal) : null;
        var taken = new List<(DeadLetter, InMemoryEnvelope)>();
        lock (_gate)
        {
            for (var node = _entries.First; node is not null && taken.Count < max;)
            {
                var next = node.Next;
                var e = node.Value;
                if ((topic is null || e.Letter.Topic == topic) && (wanted is null || wanted.Contains(e.Letter.Id)))
                {
                    taken.Add((e.Letter, e.Envelope));
                    _entries.Remove(node);
                }

                node = next;
            }
        }

        return taken;
    }

    /// <summary>Puts back an entry whose replay failed (at the end).</summary>
    public void Restore(DeadLetter letter, InMemoryEnvelope envelope)
    {
        lock (_gate)
        {
            _entries.AddLast(new Entry(letter, envelope, 0));
        }
    }

    private sealed record Entry(DeadLetter Letter, InMemoryEnvelope Envelope, int Deliveries);
}
