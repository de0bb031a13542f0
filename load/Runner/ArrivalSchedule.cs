namespace SmsGateway.Load.Runner;

/// <summary>Intended arrival offsets of an open model: within a stage whose rate goes linearly r0 → r1 over D, arrival k is at the t solving r0·t + (r1−r0)·t²/(2D) = k.</summary>
public static class ArrivalSchedule
{
    /// <summary>Offsets from the start of the run, ascending.</summary>
    public static IEnumerable<TimeSpan> Offsets(IReadOnlyList<RateStage> stages)
    {
        var stageStart = 0.0;
        foreach (var s in stages)
        {
            var d = s.Duration.TotalSeconds;
            var r0 = s.StartRate;
            var a = (s.EndRate - r0) / (2 * d);
            for (long k = 0; ; k++)
            {
                double t;
                if (Math.Abs(a) < 1e-12) { if (r0 <= 0) break; t = k / r0; }
                else
                {
                    var disc = r0 * r0 + 4 * a * k;
                    if (disc < 0) break;
                    t = (-r0 + Math.Sqrt(disc)) / (2 * a);
                }
                if (t >= d || double.IsNaN(t)) break;
                yield return TimeSpan.FromSeconds(stageStart + t);
            }
            stageStart += d;
        }
    }
}
