using SmsGateway.Load.Runner;

namespace SmsGateway.Load.Reporting;

/// <summary>The numbers a report shows for one scenario, computed once for Markdown, HTML and JSON.</summary>
public sealed record ScenarioView(string Name, string Description, bool Passed, long Requests, long Ok, long Failed, double ErrorRate, double Throughput, double Seconds,
    IReadOnlyList<LatencyRow> Latencies, IReadOnlyDictionary<string, long> Errors, IReadOnlyList<ThresholdResult> Thresholds, IReadOnlyList<string> Notes,
    IReadOnlyList<SearchStep> Steps, long FinalFailed, long FinalMissing, ScenarioSpec Spec)
{
    /// <summary>The accept row the budgets use: express when the scenario sent express, else normal (as <see cref="ScenarioStats.AcceptForBudget"/>).
    /// A method, not a property, so it stays out of <c>results.json</c>.</summary>
    public LatencyRow AcceptRow() => Latencies[0].Count > 0 ? Latencies[0] : Latencies[1];

    /// <summary>Builds the view of <paramref name="r"/>.</summary>
    public static ScenarioView From(ScenarioResult r)
    {
        var s = r.Stats;
        return new ScenarioView(r.Spec.Name, r.Spec.Description, r.Passed, s.Requests, s.Ok, s.Failed, s.ErrorRate, s.Throughput, s.ElapsedSeconds,
            [
                LatencyRow.From("accept, express (from intended start)", s.AcceptExpress),
                LatencyRow.From("accept, normal (from intended start)", s.AcceptNormal),
                LatencyRow.From("accept -> sent, express (server side, sampled)", s.Final),
                LatencyRow.From("service time (from actual send), all", s.Service),
                LatencyRow.From("scheduler lag (actual - intended start)", s.SchedulerLag),
            ],
            s.Errors.OrderByDescending(e => e.Value).ToDictionary(e => e.Key, e => e.Value), r.Thresholds, r.Notes, r.Steps, s.FinalFailed, s.FinalMissing, r.Spec);
    }
}
