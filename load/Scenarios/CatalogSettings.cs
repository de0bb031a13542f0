namespace SmsGateway.Load.Scenarios;

/// <summary>Knobs of the built-in scenarios (command-line options of <c>run</c> and <c>smoke</c>).</summary>
public sealed record CatalogSettings
{
    public Budgets Budgets { get; init; } = Budgets.Embedded;
    /// <summary>Arrival rate of the fixed-rate scenarios, req/s. Default 1000.</summary>
    public double Rate { get; init; } = 1000;
    /// <summary>Measured seconds per scenario. Default 30.</summary>
    public int DurationSeconds { get; init; } = 30;
    public int WarmUpSeconds { get; init; } = 5;
    /// <summary>Normal messages queued before the backlog scenario. Default 100,000.</summary>
    public int Backlog { get; init; } = 100_000;
    public double BurstFactor { get; init; } = 10;
    /// <summary>Virtual users of the closed scenario. Default 32.</summary>
    public int Concurrency { get; init; } = 32;
    public double MaxRate { get; init; } = 200_000;
    public int StepSeconds { get; init; } = 10;
    public double SmokeRate { get; init; } = 200;
    public int SmokeSeconds { get; init; } = 30;
    /// <summary>Messages per <c>/send/batch</c> request of the batch scenario. Default 1000.</summary>
    public int BatchSize { get; init; } = 1000;
    /// <summary>Floor of queued messages/s of the batch scenario (issue 16: 50,000 over the full stack). Default 50,000.</summary>
    public double BatchTarget { get; init; } = 50_000;
}
