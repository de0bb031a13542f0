using System.Globalization;

namespace SmsGateway.Tests.Crash;

/// <summary>What a case is allowed: the operator-send bound per message, answer-time bounds, and requests left unanswered.</summary>
/// <param name="Name">Case name as printed in the summary.</param>
/// <param name="MaxSendsPerMessage">
/// The documented at-least-once bound for this case: 1, or 2 where the case kills the gateway, because a kill between the
/// operator's accept and our capture leaves that attempt's outcome unknown (README "Durability").
/// </param>
/// <param name="MaxP50Ms">Largest allowed median answer time of the requests that got an HTTP answer, in ms; null for no bound.</param>
/// <param name="MaxP99Ms">Largest allowed 99th percentile of the same answer times, in ms; null for no bound.</param>
/// <param name="MaxNoAnswer">
/// Most requests allowed without an answer within the client's 5 s; null for no bound. 0 where the gateway process stays up:
/// every request then gets an answer (the accept deadline is 900 ms); a killed or stopped gateway leaves its requests in
/// flight unanswered.
/// </param>
public sealed record CaseSpec(string Name, int MaxSendsPerMessage = 1, double? MaxP50Ms = null, double? MaxP99Ms = null, long? MaxNoAnswer = null);

/// <summary>
/// The reconciliation of one case. Every count must be zero except <see cref="Accepted"/>, <see cref="MaxSends"/> (at most
/// the case's bound), <see cref="NoAnswer"/> (bounded by some cases), the refusals (429/503 are allowed answers to a fault)
/// and the times (bounded by some cases).
/// </summary>
public sealed record CaseFigures(
    string Case,
    int Accepted,
    int Lost,
    int NeverFinal,
    long StuckReserved,
    int SpentMismatches,
    int MoneyInvariantBroken,
    int SendsAfterRefund,
    int ChargedNotSent,
    int SentButUnknown,
    int MaxSends,
    int OverSendBound,
    int RefusedButCharged,
    int ServerErrors,
    long NoAnswer,
    long MissingRetryAfter,
    string Refused,
    double P50Ms,
    double P99Ms,
    TimeSpan SettleTime)
{
    /// <summary>Header of the Markdown summary table.</summary>
    public const string Header =
        "| case | accepted (202) | 202 after the fault | lost | never final | stuck reserved | spent ≠ sent costs | money invariant broken | sends after refund | charged, never sent | sent, unknown id | max operator sends | over bound | refused but charged | 5xx (not 503) | 429/503 without Retry-After | no answer | refusals | p50 / p99 ms | settle s | case s |\n"
        + "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|";

    /// <summary>202 answers that arrived after the fault ended (the gateway recovered by itself); -1 when not measured.</summary>
    public int AcceptedAfterFault { get; init; } = -1;

    /// <summary>
    /// Charged messages (sent, delivered, undelivered) whose request got no 202, for a failed case to explain; at most
    /// <see cref="NoAnswer"/> of them are allowed (<see cref="RefusedButCharged"/> counts the rest).
    /// </summary>
    public IReadOnlyList<Guid> ChargedOutside202 { get; init; } = [];

    /// <summary>Wall time of the whole case: servers, gateway start, traffic, fault, settling, reconciliation.</summary>
    public TimeSpan CaseTime { get; init; }

    /// <summary>The broken promises, one line each; empty when the case passed.</summary>
    public IReadOnlyList<string> Violations(CaseSpec spec)
    {
        var v = new List<string>();
        void Check(long value, string what)
        {
            if (value != 0)
            {
                v.Add($"{what}: {value}");
            }
        }

        if (Accepted == 0)
        {
            v.Add("no request was answered 202: the case reconciled nothing");
        }

        if (AcceptedAfterFault == 0)
        {
            v.Add("no 202 after the fault ended: the gateway did not recover by itself while traffic went on");
        }

        Check(Lost, "202 answers missing from the reports");
        Check(NeverFinal, "messages that never reached a final status");
        Check(StuckReserved, "reserved money left after settling (minor units)");
        Check(SpentMismatches, "users whose spent differs from their sent messages' costs");
        Check(MoneyInvariantBroken, "users whose available + reserved + spent differs from what they were charged");
        Check(SendsAfterRefund, "messages sent to the operator but refunded as failed");
        Check(ChargedNotSent, "messages charged (sent/delivered/undelivered) that the operator never accepted");
        Check(SentButUnknown, "messages the operator got that no report knows");
        Check(OverSendBound, $"messages sent to the operator more than {spec.MaxSendsPerMessage} time(s)");
        Check(RefusedButCharged, "charged messages beyond the 202s and the unanswered requests (a 4xx/5xx that charged)");
        Check(ServerErrors, "5xx answers other than 503");
        Check(MissingRetryAfter, "429/503 answers without Retry-After");
        if (spec.MaxP50Ms is { } bound && P50Ms > bound)
        {
            v.Add(string.Create(CultureInfo.InvariantCulture, $"median answer time {P50Ms:0} ms above {bound:0} ms"));
        }

        if (spec.MaxP99Ms is { } tail && P99Ms > tail)
        {
            v.Add(string.Create(CultureInfo.InvariantCulture, $"99th percentile answer time {P99Ms:0} ms above {tail:0} ms"));
        }

        if (spec.MaxNoAnswer is { } unanswered && NoAnswer > unanswered)
        {
            v.Add($"requests without an answer within the client's timeout: {NoAnswer} (at most {unanswered})");
        }

        return v;
    }

    /// <summary>One Markdown table row.</summary>
    public string Row() => string.Create(CultureInfo.InvariantCulture,
        $"| {Case} | {Accepted} | {(AcceptedAfterFault < 0 ? "-" : AcceptedAfterFault)} | {Lost} | {NeverFinal} | {StuckReserved} | {SpentMismatches} | {MoneyInvariantBroken} | {SendsAfterRefund} | {ChargedNotSent} | {SentButUnknown} | {MaxSends} | {OverSendBound} | {RefusedButCharged} | {ServerErrors} | {MissingRetryAfter} | {NoAnswer} | {Refused} | {P50Ms:0} / {P99Ms:0} | {SettleTime.TotalSeconds:0} | {CaseTime.TotalSeconds:0} |");
}
