using Xunit.Abstractions;

namespace SmsGateway.Tests.Crash;

/// <summary>
/// Embedded profile, SIGTERM under load: accepted messages still queued in memory must be sent (or settled as failed and
/// refunded) before the process exits. The in-memory stores die with the process, so the operator's send log is the witness:
/// every 202 id must have been sent exactly once, and no request in flight at SIGTERM may be dropped without an answer.
/// </summary>
[Collection(CrashCollection.Name)]
public sealed class EmbeddedDrainCase(ITestOutputHelper output)
{
    [Fact(Timeout = 180_000)]
    public async Task Embedded_gateway_terminated_under_load_sends_what_it_accepted()
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var log = Path.Combine(Directory.CreateTempSubdirectory("smsgw-crash-embedded-").FullName, "operator-sends.log");
        await using var host = await GatewayProcess.StartAsync(new Dictionary<string, string>
        {
            ["Gateway:Profile"] = "embedded",
            ["Gateway:Simulator:SendLogPath"] = log,
            // 500 ms per submit: at 64 (Rightel 32) concurrent sends per operator the lanes serve ~320 msg/s, so 600 req/s
            // leaves a queue of a few thousand accepted messages, more than the lanes and the subscriptions' windows hold.
            ["Gateway:Simulator:LatencyMs"] = "500",
            ["Pipeline:ShutdownTimeout"] = "00:00:30",
        });
        var users = await CrashStack.ChargeUsersAsync(host, 20, 1_000_000_000);
        var traffic = new Traffic();
        using var client = host.Client(host.GatewayPort, TimeSpan.FromSeconds(5));
        await traffic.WarmUpAsync(client, [.. users.Keys], TimeSpan.FromSeconds(60));
        var run = traffic.RunAsync(client, [.. users.Keys], ratePerSecond: 600, TimeSpan.FromSeconds(8));
        await Task.Delay(TimeSpan.FromSeconds(7));
        var sigterm = System.Diagnostics.Stopwatch.GetTimestamp();
        var exit = await host.TerminateAsync(TimeSpan.FromSeconds(60));
        await run;

        var sends = SendLog.Read(log);
        var accepted = traffic.Accepted.Select(a => Guid.Parse(a.Id)).ToList();
        var neverSent = accepted.Count(id => sends.SendsOf(id) == 0);
        var sentTwice = accepted.Count(id => sends.SendsOf(id) > 1);
        var inFlightUnanswered = traffic.DroppedInFlightAt(sigterm);
        var figures = new CaseFigures("embedded SIGTERM under load", accepted.Count, neverSent, 0, 0, 0, 0, 0, 0, 0,
            sends.AcceptedSends.Count == 0 ? 0 : sends.AcceptedSends.Values.Max(), sentTwice, 0, traffic.ServerErrors, traffic.Unknown,
            traffic.MissingRetryAfter, string.Join(" ", traffic.Refused.Select(kv => $"{kv.Key}:{kv.Value}")), traffic.AnswerMs(0.5), traffic.AnswerMs(0.99),
            exit ?? TimeSpan.FromSeconds(60)) { CaseTime = watch.Elapsed };
        output.WriteLine(CaseFigures.Header);
        output.WriteLine(figures.Row());
        output.WriteLine($"exit after SIGTERM: {(exit is null ? "did not exit within 60 s" : $"{exit.Value.TotalSeconds:0.0} s")}; " +
            $"requests in flight at SIGTERM dropped without an answer: {inFlightUnanswered}");
        CrashSummary.Append(figures);
        Assert.True(exit is not null, "the embedded gateway did not exit within 60 s of SIGTERM");
        Assert.True(neverSent == 0 && sentTwice == 0 && inFlightUnanswered == 0,
            $"of {accepted.Count} accepted messages {neverSent} were never sent and {sentTwice} were sent more than once; " +
            $"{inFlightUnanswered} requests in flight at SIGTERM were dropped without an answer\n{Tail(host.Output)}");
    }

    private static string Tail(string text) => text.Length <= 4000 ? text : text[^4000..];
}
