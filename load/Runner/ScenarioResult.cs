namespace SmsGateway.Load.Runner;

/// <summary>A finished scenario: its spec, measurements, verdicts, notes (backlog sizes, search steps) and wall-clock start.</summary>
public sealed record ScenarioResult(ScenarioSpec Spec, ScenarioStats Stats, IReadOnlyList<ThresholdResult> Thresholds, IReadOnlyList<string> Notes, DateTimeOffset StartedAt, IReadOnlyList<SearchStep> Steps)
{
    /// <summary>True when every threshold passed.</summary>
    public bool Passed => Thresholds.All(t => t.Passed);
}
