namespace SmsGateway.Load.Replay;

/// <summary>The outcome of a replay: the checks (all must pass) and the printed counts.</summary>
public sealed record ReplayReport(IReadOnlyList<Check> Checks, IReadOnlyList<string> Counts)
{
    /// <summary>True when every check passed.</summary>
    public bool Passed => Checks.All(c => c.Passed);

    /// <summary>Writes counts and checks as plain text.</summary>
    public void Print(TextWriter w)
    {
        w.WriteLine();
        w.WriteLine("== counts ==");
        foreach (var c in Counts) w.WriteLine("  " + c);
        w.WriteLine();
        w.WriteLine("== checks ==");
        foreach (var c in Checks)
        {
            w.WriteLine($"  [{(c.Passed ? "PASS" : "FAIL")}] {c.Name}: {c.Summary}");
            foreach (var e in c.Examples) w.WriteLine("         - " + e);
        }
        w.WriteLine();
        w.WriteLine(Passed ? "REPLAY PASSED" : $"REPLAY FAILED ({Checks.Count(c => !c.Passed)} of {Checks.Count} checks)");
    }
}
