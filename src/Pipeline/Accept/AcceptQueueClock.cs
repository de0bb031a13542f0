using System.Diagnostics;

namespace SmsGateway.Accept;

/// <summary>
/// The queueing delay of one accept partition, for admission by time (<see cref="PipelineOptions.AcceptQueueBudget"/>): the
/// wait of the oldest request the partition's worker last took (its sojourn time, as CoDel measures a queue), or, while a
/// batch is in progress, how long it has run, whichever is larger. A newcomer waits at least that long when requests are
/// queued ahead of it. Written by the partition's single worker, read by any request thread.
/// </summary>
internal sealed class AcceptQueueClock
{
    private long _batchStartedAt;     // Stopwatch timestamp; 0 while idle
    private long _lastSojournTicks;   // Stopwatch ticks the oldest request of the last batch waited
    private int _saturated;           // 1 while refusing, so the log line is written once per episode

    /// <summary>The worker took a batch whose oldest request was submitted at <paramref name="oldestStart"/>.</summary>
    public void BatchStarted(long oldestStart)
    {
        long now = Stopwatch.GetTimestamp();
        Volatile.Write(ref _lastSojournTicks, now - oldestStart);
        Volatile.Write(ref _batchStartedAt, now);
    }

    /// <summary>The worker answered its batch.</summary>
    public void BatchEnded() => Volatile.Write(ref _batchStartedAt, 0);

    /// <summary>The delay a request queued now behind <paramref name="waiting"/> others can expect; zero when none wait.</summary>
    public TimeSpan Delay(int waiting)
    {
        if (waiting == 0)
        {
            return TimeSpan.Zero;
        }

        long sojourn = Volatile.Read(ref _lastSojournTicks);
        long started = Volatile.Read(ref _batchStartedAt);
        long busy = started == 0 ? 0 : Stopwatch.GetTimestamp() - started;
        return Stopwatch.GetElapsedTime(0, Math.Max(sojourn, busy));
    }

    /// <summary>Records whether the partition refuses now; true when that changed (to log once per episode).</summary>
    public bool SetSaturated(bool saturated) => Interlocked.Exchange(ref _saturated, saturated ? 1 : 0) != (saturated ? 1 : 0);
}
