using System.CommandLine;
using System.Diagnostics;

namespace SmsGateway.Load.SelfTest;

/// <summary>The <c>selftest</c> command: runs the load tool's own tests (histogram, generator, replay checks, runner timing, reports) against an in-process fake gateway; exit 1 on any failure.</summary>
public static class SelfTestCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var filter = new Option<string>("--filter") { Description = "Run only cases whose name contains this text", DefaultValueFactory = _ => "" };
        var cmd = new Command("selftest", "Run the tool's own tests against an in-process fake gateway (exit 1 on failure)") { filter };
        cmd.SetAction(async (parse, ct) =>
        {
            var cases = HistogramTests.Cases().Concat(SummaryTests.Cases()).Concat(ReplayTests.Cases()).Concat(RunnerTests.Cases())
                .Where(c => c.Name.Contains(parse.GetValue(filter) ?? "", StringComparison.OrdinalIgnoreCase)).ToList();
            var failed = 0;
            var total = Stopwatch.StartNew();
            foreach (var (name, run) in cases)
            {
                var sw = Stopwatch.StartNew();
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                timeout.CancelAfter(TimeSpan.FromSeconds(90));
                try
                {
                    await run(timeout.Token).WaitAsync(timeout.Token).ConfigureAwait(false);
                    Console.WriteLine($"PASS {name} ({sw.ElapsedMilliseconds} ms)");
                }
                catch (Exception e)
                {
                    failed++;
                    Console.WriteLine($"FAIL {name} ({sw.ElapsedMilliseconds} ms): {(e is SelfTestFailure ? e.Message : e.ToString())}");
                }
            }
            Console.WriteLine($"{cases.Count - failed} passed, {failed} failed in {total.Elapsed.TotalSeconds:F1} s");
            return failed == 0 ? 0 : 1;
        });
        return cmd;
    }
}
