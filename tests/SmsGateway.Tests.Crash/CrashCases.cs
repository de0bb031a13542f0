using System.Diagnostics;
using Xunit.Abstractions;

namespace SmsGateway.Tests.Crash;

/// <summary>
/// The crash suite: real traffic through an out-of-process gateway against real servers, one injected fault per case,
/// then the reconciliation of <see cref="Reconciliation"/>. Each case prints its row (and appends it to
/// <see cref="CrashSummary"/>); a broken promise fails the case with the row and the list of violations.
/// Traffic lasts a few seconds past the fault's end so that the case also shows the gateway recovering under load.
/// </summary>
[Collection(CrashCollection.Name)]
public sealed class CrashCases(ITestOutputHelper output)
{
    private const int Users = 20;
    private const long Balance = 1_000_000_000;

    // The longest a case waits for the gateway to settle after its traffic: above the 60-s reservation confirm deadline
    // after which an unconfirmed reserve is refunded (README "Durability"), plus a sweep. Settling is polled every second.
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(90);

    [Fact(Timeout = 240_000)]
    public Task Gateway_killed_twice_over_NATS() =>
        RunAsync(new CaseSpec("gateway kill -9 ×2 (NATS)", MaxSendsPerMessage: 2), "nats", rate: 300, tailSeconds: 4, KillTwiceAsync);

    [Fact(Timeout = 240_000)]
    public Task Gateway_killed_twice_over_Kafka() =>
        RunAsync(new CaseSpec("gateway kill -9 ×2 (Kafka)", MaxSendsPerMessage: 2), "kafka", rate: 300, tailSeconds: 4, KillTwiceAsync);

    // Bulk sends go out as message frames (docs/architecture.md "Message frames"): a kill leaves whole frames unacked, and
    // their redelivery must send and charge each message once, within the case's bound. 10 batches of 50 per second.
    [Fact(Timeout = 240_000)]
    public Task Gateway_killed_twice_during_bulk_sends_over_NATS() =>
        RunAsync(new CaseSpec("gateway kill -9 ×2, bulk (NATS)", MaxSendsPerMessage: 2), "nats", rate: 10, tailSeconds: 4, KillTwiceAsync, batchSize: 50);

    [Fact(Timeout = 240_000)]
    public Task Nats_server_killed_for_10_s() =>
        RunAsync(new CaseSpec("nats-server kill -9, 10 s", MaxNoAnswer: 0), "nats", rate: 300, tailSeconds: 4, async (stack, _) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(4));
            await stack.Nats!.KillAsync();
            await Task.Delay(TimeSpan.FromSeconds(10));
            await stack.Nats.StartAsync();
        });

    [Fact(Timeout = 240_000)]
    public Task Cluster_node_leading_the_stream_killed_for_10_s() =>
        RunAsync(new CaseSpec("R3 cluster: stream leader kill -9, 10 s", MaxNoAnswer: 0), "nats-r3", rate: 300, tailSeconds: 4, async (stack, _) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(4));
            // the leader of SMS_NORMAL (two thirds of the traffic): its two replicas elect a new leader
            var node = await stack.StreamLeaderAsync("SMS_NORMAL");
            await stack.NatsCluster!.KillAsync(node);
            await Task.Delay(TimeSpan.FromSeconds(10));
            await stack.NatsCluster.StartNodeAsync(node);
        });

    // Answered within the accept deadline while the ledger node (which also issues the fencing tokens) is frozen. The p99
    // bound is 2.5 s: 0.84-1.07 s measured; 2.9-4.8 s (and up to 278 requests unanswered after 5 s) before the lock leases
    // stopped holding grants into RedLock.net's synchronous extension (docs/architecture.md "Redis calls that fail").
    [Fact(Timeout = 240_000)]
    public Task Ledger_node_frozen_for_15_s() =>
        RunAsync(new CaseSpec("ledger node SIGSTOP 15 s", MaxP99Ms: 2500, MaxNoAnswer: 0), "nats", rate: 300, tailSeconds: 4, async (stack, _) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(4));
            stack.Redis[0].Freeze();
            await Task.Delay(TimeSpan.FromSeconds(15));
            stack.Redis[0].Thaw();
        });

    [Fact(Timeout = 240_000)]
    public Task Postgres_stopped_for_30_s() =>
        RunAsync(new CaseSpec("PostgreSQL stopped 30 s", MaxNoAnswer: 0), "nats", rate: 300, tailSeconds: 4, async (stack, _) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(4));
            await stack.Postgres.StopAsync();
            await Task.Delay(TimeSpan.FromSeconds(30));
            await stack.Postgres.StartAgainAsync();
        });

    [Fact(Timeout = 240_000)]
    public Task Two_of_three_lock_nodes_down() =>
        RunAsync(new CaseSpec("2 of 3 lock nodes down 10 s", MaxNoAnswer: 0), "nats", rate: 300, tailSeconds: 4, async (stack, _) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(4));
            await Task.WhenAll(stack.Redis[1].StopAsync(), stack.Redis[2].StopAsync());
            await Task.Delay(TimeSpan.FromSeconds(10));
            await Task.WhenAll(stack.Redis[1].RestartAsync(), stack.Redis[2].RestartAsync());
        });

    // ~4× what the gateway accepts on the 2-core CI machine (~1,500/s). Admission control must answer the excess 429 with
    // Retry-After while the median answer stays bounded. The bound is 2 s: the accept path answers within its 900 ms
    // deadline, but the median is measured by a client sharing the 2 cores with the gateway and the servers, and it was
    // 836 ms and 1,001 ms in two runs of the same tree, so a 1-s bound failed on scheduling noise alone.
    [Fact(Timeout = 240_000)]
    public Task Flood_at_four_times_capacity() =>
        RunAsync(new CaseSpec("flood 20 s at ~4× capacity", MaxP50Ms: 2000, MaxNoAnswer: 0), "nats", rate: 6000, tailSeconds: 20, (_, _) => Task.CompletedTask, maxOutstanding: 3000);

    // Kills the gateway at 5 s and again 3 s after it came back; each time it is started again at once.
    private static async Task KillTwiceAsync(CrashStack stack, GatewayProcess host)
    {
        await Task.Delay(TimeSpan.FromSeconds(5));
        await host.KillAsync();
        await host.StartAgainAsync();
        await Task.Delay(TimeSpan.FromSeconds(3));
        await host.KillAsync();
        await host.StartAgainAsync();
    }

    // Traffic starts, the fault runs (it returns once the fault has ended: the server is back), traffic goes on for
    // tailSeconds more, then the case settles and reconciles.
    private async Task RunAsync(CaseSpec spec, string transport, int rate, int tailSeconds, Func<CrashStack, GatewayProcess, Task> fault,
        int maxOutstanding = 2000, int batchSize = 0)
    {
        var watch = Stopwatch.StartNew();
        await using var stack = await CrashStack.StartAsync(transport);
        await using var host = await GatewayProcess.StartAsync(stack.GatewaySettings());
        var users = await CrashStack.ChargeUsersAsync(host, Users, Balance);
        var traffic = new Traffic { BatchSize = batchSize };
        using var client = host.Client(host.GatewayPort, TimeSpan.FromSeconds(5));
        await traffic.WarmUpAsync(client, [.. users.Keys], TimeSpan.FromSeconds(60));
        using var stop = new CancellationTokenSource();
        var run = traffic.RunAsync(client, [.. users.Keys], rate, stop.Token, maxOutstanding);
        try
        {
            await fault(stack, host);
        }
        finally
        {
            stop.CancelAfter(TimeSpan.FromSeconds(tailSeconds));
        }

        var faultEnded = Stopwatch.GetTimestamp();
        await run;
        var figures = await Reconciliation.RunAsync(spec, host, users, traffic, stack.SendLogPath, Settle);
        Report(spec, figures with { CaseTime = watch.Elapsed, AcceptedAfterFault = traffic.AcceptedAfter(faultEnded) }, traffic, host, stack.SendLogPath);
    }

    private void Report(CaseSpec spec, CaseFigures figures, Traffic traffic, GatewayProcess host, string sendLogPath)
    {
        output.WriteLine(CaseFigures.Header);
        output.WriteLine(figures.Row());
        output.WriteLine($"requests not sent (the client's own bound of outstanding requests): {traffic.NotSent}");
        CrashSummary.Append(figures);
        var violations = figures.Violations(spec);
        Assert.True(violations.Count == 0,
            $"{spec.Name}: {string.Join("; ", violations)}\n{CaseFigures.Header}\n{figures.Row()}\n" +
            $"{Explain(spec, figures, sendLogPath, host.Output)}--- gateway output (tail) ---\n{Tail(host.Output)}");
    }

    // For up to three messages the operator got more often than the case allows, and up to three charged messages whose
    // request got no 202 (when those are more than the unanswered requests): their lines of the send log and of the
    // gateway's log (its warnings name the message: a resend, a nak, a settle that failed, a withdrawal that failed), so a
    // failed run explains itself.
    private static string Explain(CaseSpec spec, CaseFigures figures, string sendLogPath, string output)
    {
        var over = SendLog.Read(sendLogPath).AcceptedSends.Where(kv => kv.Value > spec.MaxSendsPerMessage).Select(kv => kv.Key).Take(3);
        var refused = figures.RefusedButCharged > 0 ? figures.ChargedOutside202.Take(3) : [];
        var explained = over.Select(id => (id, $"sent more than {spec.MaxSendsPerMessage} time(s)"))
            .Concat(refused.Select(id => (id, "charged, but its request got no 202")))
            .ToList();
        if (explained.Count == 0)
        {
            return string.Empty;
        }

        var sends = File.ReadAllLines(sendLogPath);
        var lines = output.Split('\n');
        var text = new System.Text.StringBuilder();
        foreach (var (id, why) in explained)
        {
            text.Append("--- message ").Append(id).Append(' ').Append(why).Append(" ---\n");
            foreach (var send in sends.Where(l => l.StartsWith(id.ToString("N"), StringComparison.Ordinal)))
            {
                text.Append("operator: ").Append(send).Append('\n');
            }

            var named = id.ToString();
            foreach (int i in Enumerable.Range(0, lines.Length).Where(i => lines[i].Contains(named, StringComparison.Ordinal)).Take(12))
            {
                text.Append(i > 0 ? lines[i - 1].TrimEnd() + " | " : string.Empty).Append(lines[i].Trim()).Append('\n'); // the logger's header line, then the message
            }
        }

        return text.ToString();
    }

    private static string Tail(string text) => text.Length <= 4000 ? text : text[^4000..];
}
