namespace SmsGateway.Load.Runner;

/// <summary>One step of a rate search: the offered rate, what was measured and whether it stayed within budget.</summary>
public sealed record SearchStep(double Rate, double Throughput, double AcceptP99Ms, double FinalP99Ms, double ErrorRate, bool WithinBudget, string Why);
