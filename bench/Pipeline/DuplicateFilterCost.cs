using System.Diagnostics;
using System.Globalization;
using SmsGateway.Transport.InMemory;

namespace SmsGateway.Bench.Pipeline;

/// <summary>
/// What the in-memory transport's duplicate filter costs over a window full of ids: <c>-- dedup [ids] [runs]</c> publishes
/// <c>ids</c> fresh status-event ids (the shape of <c>TransportCodec</c>'s: message id, status, attempt) through one
/// <see cref="DuplicateFilter"/> with the default 2-minute window (no id expires during a run), then reports per run the
/// ns per <c>FirstSighting</c>, the managed heap the filter keeps (MB, after a full collection) and the GCs of gen 1+
/// with the pause they cost. The ids are made just before each call and dropped after it, as on the publish path, so
/// what survives is what the filter holds.
/// </summary>
public static class DuplicateFilterCost
{
    public static void Run(string[] args)
    {
        int ids = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 3_000_000;
        int runs = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 3;
        for (int r = 0; r < runs; r++)
        {
            GC.Collect();
            long heapBefore = GC.GetTotalMemory(true);
            int gen1 = GC.CollectionCount(1);
            var pause = GC.GetTotalPauseDuration();
            var filter = new DuplicateFilter(TimeSpan.FromMinutes(2));
            var message = Guid.NewGuid();
            var sw = Stopwatch.StartNew();
            for (int i = 0; i < ids; i++)
            {
                if (i % 3 == 0)
                {
                    message = Guid.NewGuid();
                }

                var id = string.Create(CultureInfo.InvariantCulture, $"{message:N}.{i % 3}.1");
                if (!filter.FirstSighting(id))
                {
                    throw new InvalidOperationException($"id {id} taken for a duplicate");
                }
            }

            double ns = sw.Elapsed.TotalNanoseconds / ids;
            int gcs = GC.CollectionCount(1) - gen1;
            double pauseMs = (GC.GetTotalPauseDuration() - pause).TotalMilliseconds;
            long kept = GC.GetTotalMemory(true) - heapBefore;
            GC.KeepAlive(filter);
            Console.WriteLine($"run {r + 1}: {ids:N0} ids, {ns:N0} ns per FirstSighting, filter keeps {kept / 1e6:N0} MB, {gcs} GCs of gen 1+, {pauseMs:N0} ms GC pause");
        }
    }
}
