using SmsGateway.Model;

namespace SmsGateway.Tests.Postgres.Fixtures;

/// <summary>Builds realistic status-event sequences; each sequence is in increasing (attempt, StatusPrecedence.Rank) order, so its last event is the current status.</summary>
public static class Lifecycles
{
    public static readonly DateTimeOffset Epoch = new(2025, 3, 1, 0, 0, 0, TimeSpan.Zero);

    public static StatusEvent Event(Guid id, string user, MessageStatus status, int attempt, DateTimeOffset at, DateTimeOffset acceptedAt, string? error = null) =>
        new(id, user, status, attempt, at, "+989121234567", "MCI", MessageType.Express, SmsEncoding.Ucs2, 2, 240, acceptedAt, error);

    /// <summary>A UUIDv7 for a message accepted at <paramref name="acceptedAt"/>.</summary>
    public static Guid IdAt(DateTimeOffset acceptedAt) => Guid.CreateVersion7(acceptedAt);

    /// <summary>
    /// accepted, then either rejected, or queued, then per attempt sending (+ retrying when it fails), ending sent
    /// (+ delivered/undelivered) or failed. Times are whole milliseconds (PostgreSQL keeps microseconds).
    /// </summary>
    public static List<StatusEvent> Random(Random random, Guid id, string user, DateTimeOffset acceptedAt)
    {
        var list = Complete(random, id, user, acceptedAt);
        if (random.Next(10) == 0)
        {
            // still in flight: only a prefix of the life-cycle has happened (accepted, queued, sending, retrying, ...)
            var keep = 1 + random.Next(list.Count);
            list.RemoveRange(keep, list.Count - keep);
        }

        return list;
    }

    private static List<StatusEvent> Complete(Random random, Guid id, string user, DateTimeOffset acceptedAt)
    {
        var list = new List<StatusEvent>(8);
        var t = acceptedAt;
        DateTimeOffset Next() => t = t.AddMilliseconds(random.Next(1, 500));
        list.Add(Event(id, user, MessageStatus.Accepted, 0, t, acceptedAt));
        if (random.Next(20) == 0)
        {
            list.Add(Event(id, user, MessageStatus.Rejected, 0, Next(), acceptedAt, "insufficient_balance"));
            return list;
        }

        if (random.Next(10) == 0)
        {
            list.Add(Event(id, user, MessageStatus.Scheduled, 0, Next(), acceptedAt));
        }

        list.Add(Event(id, user, MessageStatus.Queued, 0, Next(), acceptedAt));
        if (random.Next(25) == 0)
        {
            list.Add(Event(id, user, MessageStatus.Canceled, 0, Next(), acceptedAt, "canceled"));
            return list;
        }

        var maxAttempts = random.Next(10) switch { < 6 => 1, < 8 => 2, 8 => 3, _ => 4 }; // mostly first-attempt success
        for (var attempt = 1; attempt <= 4; attempt++)
        {
            if (random.Next(30) == 0)
            {
                list.Add(Event(id, user, MessageStatus.Expired, attempt, Next(), acceptedAt, "validity_period"));
                return list;
            }

            list.Add(Event(id, user, MessageStatus.Sending, attempt, Next(), acceptedAt));
            if (attempt < maxAttempts)
            {
                list.Add(Event(id, user, MessageStatus.Retrying, attempt, Next(), acceptedAt, "timeout"));
                continue;
            }

            if (attempt == 4 && random.Next(2) == 0)
            {
                list.Add(Event(id, user, MessageStatus.Failed, attempt, Next(), acceptedAt, "retries_exhausted"));
                return list;
            }

            list.Add(Event(id, user, MessageStatus.Sent, attempt, Next(), acceptedAt));
            switch (random.Next(4))
            {
                case 0:
                    list.Add(Event(id, user, MessageStatus.Delivered, attempt, Next(), acceptedAt));
                    break;
                case 1:
                    list.Add(Event(id, user, MessageStatus.Undelivered, attempt, Next(), acceptedAt, "absent_subscriber"));
                    break;
                case 2:
                    // a receipt still to come: Sending may stay the last event when the run stopped mid-flight
                    if (random.Next(3) == 0)
                    {
                        list.RemoveAt(list.Count - 1);
                    }

                    break;
            }

            return list;
        }

        return list;
    }

    public static void Shuffle<T>(Random random, IList<T> list)
    {
        for (var i = list.Count - 1; i > 0; i--)
        {
            var j = random.Next(i + 1);
            (list[i], list[j]) = (list[j], list[i]);
        }
    }
}
