namespace SmsGateway.Load.Runner;

/// <summary>
/// A load scenario (JSON: snake_case). Phases: charge users → warm-up (same traffic, not measured) → optional backlog of normal messages
/// → the measured <see cref="Model"/> → fetch sampled messages for accept→sent latency → thresholds. With <see cref="Search"/> set, the measured phase is
/// repeated at rising constant rates until a budget breaks.
/// </summary>
public sealed record ScenarioSpec
{
    public string Name { get; init; } = "scenario";
    public string Description { get; init; } = "";
    public LoadModel Model { get; init; } = LoadModel.ConstantRate(100, TimeSpan.FromSeconds(10));
    public TimeSpan WarmUp { get; init; } = TimeSpan.FromSeconds(3);
    /// <summary>Share of express messages (0..1); the rest are normal.</summary>
    public double ExpressShare { get; init; } = 1;
    /// <summary>Normal messages enqueued (as fast as a closed model of 64 allows) before the measured phase.</summary>
    public int Backlog { get; init; }
    /// <summary>Accepted express messages sampled for accept→sent latency.</summary>
    public int FinalSample { get; init; } = 2000;
    /// <summary>Seconds to wait for sampled messages to become final.</summary>
    public int FinalWaitSeconds { get; init; } = 60;
    /// <summary>Users the traffic is spread over.</summary>
    public int Users { get; init; } = 16;
    public IReadOnlyList<Threshold> Thresholds { get; init; } = [];
    public RateSearch? Search { get; init; }
    /// <summary>Messages per request: 0 sends single <c>/send</c> requests; 1..1000 sends <c>/send/batch</c> requests of this many phones
    /// (one text), and the run checks every user's money invariant afterwards.</summary>
    public int BatchSize { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> for an unrunnable spec.</summary>
    public ScenarioSpec Validate()
    {
        Model.Validate();
        if (ExpressShare is < 0 or > 1) throw new ArgumentException($"{Name}: express_share must be within 0..1");
        if (Backlog < 0 || FinalSample < 0 || Users < 1 || WarmUp < TimeSpan.Zero) throw new ArgumentException($"{Name}: negative backlog/final_sample/warm_up or no users");
        if (BatchSize is < 0 or > 1000) throw new ArgumentException($"{Name}: batch_size must be within 0..1000");
        foreach (var t in Thresholds) Threshold.EnsureKnown(t.Metric);
        return this;
    }
}
