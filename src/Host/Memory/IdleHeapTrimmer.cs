using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace SmsGateway.Host.Memory;

/// <summary>
/// Gives the memory a burst left behind back to the operating system once traffic stops (issue 12 item 6, README
/// "Memory after a flood"). The GC frees and decommits memory only while it collects, and an idle process allocates
/// nothing, so no collection runs: after a flood the heap stays as committed as at its peak. Every
/// <see cref="Interval"/> this service compares the bytes allocated since the last tick with <see cref="IdleAllocationBytes"/>;
/// on the first idle tick after the GC's committed memory grew by <see cref="GrowthBytes"/> over the level the last trim left,
/// it runs one aggressive full collection (<see cref="GCCollectionMode.Aggressive"/>: blocking, compacting, decommitting
/// free regions) and logs event 7520 with the committed bytes and working set before and after.
/// </summary>
/// <remarks>One background loop; the collection pauses the process (tens of ms for a 100-MB heap) only while it is idle.</remarks>
internal sealed partial class IdleHeapTrimmer(ILogger<IdleHeapTrimmer> logger) : BackgroundService
{
    /// <summary>How often the allocation rate is sampled.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    /// <summary>Allocated within one <see cref="Interval"/> below this, the process counts as idle (about 20 requests' worth).</summary>
    public const long IdleAllocationBytes = 1 << 20;

    /// <summary>Growth of the GC's committed memory over the last trim's level that makes a trim worth its pause.</summary>
    public const long GrowthBytes = 64L << 20;

    /// <summary>Whether an idle tick should trim: little was allocated since the last tick and the heap grew since the last trim.</summary>
    internal static bool ShouldTrim(long allocatedSinceLastTick, long committedBytes, long committedAfterLastTrim) =>
        allocatedSinceLastTick < IdleAllocationBytes && committedBytes - committedAfterLastTrim >= GrowthBytes;

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        long lastAllocated = GC.GetTotalAllocatedBytes();
        long afterLastTrim = GC.GetGCMemoryInfo().TotalCommittedBytes;
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                long allocated = GC.GetTotalAllocatedBytes();
                long committed = GC.GetGCMemoryInfo().TotalCommittedBytes;
                if (ShouldTrim(allocated - lastAllocated, committed, afterLastTrim))
                {
                    long workingSet = Environment.WorkingSet;
                    GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
                    afterLastTrim = GC.GetGCMemoryInfo().TotalCommittedBytes;
                    Trimmed(logger, committed >> 20, afterLastTrim >> 20, workingSet >> 20, Environment.WorkingSet >> 20);
                }

                lastAllocated = GC.GetTotalAllocatedBytes();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Host stopping.
        }
    }

    [LoggerMessage(EventId = 7520, Level = LogLevel.Information,
        Message = "Idle after a burst: GC heap trimmed, committed {CommittedBeforeMiB} -> {CommittedAfterMiB} MiB, working set {WorkingSetBeforeMiB} -> {WorkingSetAfterMiB} MiB")]
    private static partial void Trimmed(ILogger logger, long committedBeforeMiB, long committedAfterMiB, long workingSetBeforeMiB, long workingSetAfterMiB);
}
