namespace SmsGateway.Load.Replay;

/// <summary>One named check of the replay with its verdict, a one-line summary and up to a few failing examples.</summary>
public sealed record Check(string Name, bool Passed, string Summary, IReadOnlyList<string> Examples)
{
    /// <summary>Builds a check from a list of failures (passes when it is empty).</summary>
    public static Check From(string name, string okSummary, IReadOnlyCollection<string> failures) =>
        new(name, failures.Count == 0, failures.Count == 0 ? okSummary : $"{failures.Count} failure(s)", [.. failures.Take(5)]);
}
