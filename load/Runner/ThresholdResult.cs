namespace SmsGateway.Load.Runner;

/// <summary>A threshold's verdict: the measured value, the limit it was held to (after resolving relative limits) and why.</summary>
public sealed record ThresholdResult(string Metric, double Value, double Limit, string Comparison, string Basis, bool Passed, string? Note);
