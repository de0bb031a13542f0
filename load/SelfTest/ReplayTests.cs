using SmsGateway.Load.Generation;
using SmsGateway.Load.Replay;
using static SmsGateway.Load.SelfTest.SelfTestFailure;

namespace SmsGateway.Load.SelfTest;

/// <summary>The generator's file and the replay's checks, against the fake gateway: a correct gateway passes, a faulty one is caught.</summary>
public static class ReplayTests
{
    /// <summary>All generator and replay cases.</summary>
    public static IEnumerable<(string Name, Func<CancellationToken, Task> Run)> Cases()
    {
        yield return ("generate: reproducible, charges first, every kind present", _ =>
        {
            var a = RequestGenerator.Generate(new GeneratorOptions { Lines = 3000, Seed = 9 });
            var b = RequestGenerator.Generate(new GeneratorOptions { Lines = 3000, Seed = 9 });
            var c = RequestGenerator.Generate(new GeneratorOptions { Lines = 3000, Seed = 10 });
            Assert(a.SequenceEqual(b), "same seed must give the same lines");
            Assert(!a.SequenceEqual(c), "another seed must give other lines");
            Assert(a.Count == 3000 && a.Select(l => l.Seq).SequenceEqual(Enumerable.Range(1, 3000)), "3000 lines numbered 1..3000");
            var firstSend = a.FindIndex(l => l.Kind == "send");
            Assert(a.Skip(firstSend).All(l => l.Kind == "send"), "charges come first");
            var sends = a.Skip(firstSend).ToList();
            foreach (var op in new[] { "MCI", "MTN", "Rightel" }) Assert(sends.Any(s => s.ExpectOperator == op), $"no {op} numbers");
            Assert(sends.Any(s => s.Phone?.Any(ch => ch is >= '\u06F0' and <= '\u06F9') == true), "no Persian digits");
            Assert(sends.Any(s => s.Phone?.Any(ch => ch is >= '\u0660' and <= '\u0669') == true), "no Arabic-Indic digits");
            foreach (var prefix in new[] { "+98", "0098", "98", "09", "9" }) Assert(sends.Any(s => !s.IsInvalid && s.Phone!.StartsWith(prefix, StringComparison.Ordinal)), $"no number starting {prefix}");
            Assert(sends.Any(s => s.Phone?.Contains('-') == true) && sends.Any(s => s.Phone?.Contains(' ') == true), "no dashes or spaces");
            foreach (var reason in new[] { "no route", "bad phone", "empty text", "more than 10 segments", "unknown type", "malformed JSON", "missing user_id" })
                Assert(sends.Any(s => s.IsInvalid && s.Reason!.StartsWith(reason, StringComparison.Ordinal)), $"no invalid line '{reason}'");
            for (var seg = 1; seg <= 6; seg++)
                foreach (var enc in new[] { SegmentCount.Gsm7, SegmentCount.Ucs2 })
                    Assert(sends.Any(s => s.ExpectSegments == seg && s.ExpectEncoding == enc), $"no {enc} text of {seg} segments");
            Assert(sends.Any(s => s.Text?.Any(ch => "€{}[]".Contains(ch)) == true && s.ExpectEncoding == SegmentCount.Gsm7), "no GSM-7 extension characters");
            Assert(sends.Any(s => s.DuplicateOf is not null) && sends.Where(s => s.DuplicateOf is not null).All(d => a[d.DuplicateOf!.Value - 1].IdempotencyKey == d.IdempotencyKey), "repeated keys must repeat their original");
            Assert(sends.Count(s => s.Type == "express") > 100 && sends.Count(s => s.Type == "normal") > 100, "express and normal both present");
            return Task.CompletedTask;
        });
        yield return ("segments: 3GPP edges", _ =>
        {
            (string Text, string Enc, int Seg)[] cases =
            [
                (new string('a', 160), "GSM-7", 1), (new string('a', 161), "GSM-7", 2), (new string('a', 306), "GSM-7", 2), (new string('a', 307), "GSM-7", 3),
                (new string('€', 80), "GSM-7", 1), (new string('€', 81), "GSM-7", 2), ("a" + new string('€', 80), "GSM-7", 2),
                (new string('س', 70), "UCS-2", 1), (new string('س', 71), "UCS-2", 2), (new string('س', 134), "UCS-2", 2), (new string('س', 135), "UCS-2", 3),
                ("a" + string.Concat(Enumerable.Repeat("😀", 35)), "UCS-2", 2), (string.Concat(Enumerable.Repeat("😀", 34)) + "a", "UCS-2", 1),
                ("a" + string.Concat(Enumerable.Repeat("😀", 34)), "UCS-2", 1), ("aaa" + string.Concat(Enumerable.Repeat("😀", 34)), "UCS-2", 2), ("aa" + string.Concat(Enumerable.Repeat("😀", 34)), "UCS-2", 1), ("کد تایید: 1234", "UCS-2", 1),
            ];
            foreach (var (text, enc, seg) in cases)
            {
                var c = SegmentCount.Of(text);
                Assert(c.Encoding == enc && c.Segments == seg, $"'{(text.Length > 20 ? text[..20] + "…" : text)}' ({text.Length} chars): {c.Encoding}/{c.Segments}, expected {enc}/{seg}");
            }
            // 1 + 76 euros = 153 septets fill a part exactly; 77 euros would put an escape pair across the boundary.
            Assert(SegmentCount.Of("a" + new string('€', 76) + new string('a', 10)).Segments == 2, "escape boundary");
            Assert(SegmentCount.Of("ab" + new string('€', 76) + new string('a', 10)).Segments == 2, "escape pushed to next part");
            Assert(SegmentCount.Of("ab" + new string('€', 152)).Segments == 3, "escape pairs never split: 2 + 304 = 306 septets need 3 parts, not 2");
            return Task.CompletedTask;
        });
        yield return ("replay: a correct gateway passes every check", async ct =>
        {
            await using var fake = new FakeGateway(new FakeFaults());
            var report = await Replay(fake, ct).ConfigureAwait(false);
            report.Print(Console.Out);
            Assert(report.Passed, "checks failed: " + string.Join("; ", report.Checks.Where(c => !c.Passed).Select(c => $"{c.Name}: {string.Join(" | ", c.Examples)}")));
            Assert(report.Counts.Any(c => c.StartsWith("refused for balance (402): ", StringComparison.Ordinal) && !c.EndsWith(": 0", StringComparison.Ordinal)), "some users must run out of balance");
        });
        yield return ("replay: catches failed messages that were not refunded", async ct =>
        {
            await using var fake = new FakeGateway(new FakeFaults { SkipRefund = true, PermanentFailure = 0.1 });
            var report = await Replay(fake, ct).ConfigureAwait(false);
            Assert(!report.Passed, "replay must fail");
            Assert(report.Checks.Single(c => c.Name.StartsWith("failed messages refunded", StringComparison.Ordinal)).Passed == false, "refund check must fail");
            Assert(report.Checks.Single(c => c.Name.StartsWith("spent ==", StringComparison.Ordinal)).Passed == false, "spent check must fail");
        });
        yield return ("replay: catches invalid requests that were accepted", async ct =>
        {
            await using var fake = new FakeGateway(new FakeFaults { AcceptUnknownType = true });
            var report = await Replay(fake, ct).ConfigureAwait(false);
            Assert(report.Checks.Single(c => c.Name.StartsWith("invalid requests got 4xx", StringComparison.Ordinal)).Passed == false, "4xx check must fail");
        });
    }

    private static async Task<ReplayReport> Replay(FakeGateway fake, CancellationToken ct)
    {
        var lines = RequestGenerator.Generate(new GeneratorOptions { Lines = 1500, Seed = 11, Users = 8 });
        var runner = new ReplayRunner(new ReplayOptions { Url = fake.Url, Concurrency = 16, FinalTimeout = TimeSpan.FromSeconds(30) }, TextWriter.Null);
        return await runner.RunAsync(lines, ct).ConfigureAwait(false);
    }
}
