using System.Globalization;

namespace SmsGateway.Tests.Crash;

/// <summary>What a case is allowed: the operator-send bound per message (1, or 2 where the case kills the gateway between an operator's accept and the capture).</summary>
/// <param name="Name">Case name as printed in the summary.</param>
/// <param name="MaxSendsPerMessage">The documented at-least-once bound for this case.</param>
public sealed record CaseSpec(string Name, int MaxSendsPerMessage = 1);

/// <summary>The reconciliation of one case; every count but <see cref="Accepted"/>, <see cref="MaxSends"/> and the refusals must be zero.</summary>
public sealed record CaseFigures(
    string Case,
    int Accepted,
    int Lost,
    int NeverFinal,
    long StuckReserved,
    int SpentMismatches,
    int MoneyInvariantBroken,
    int SendsAfterRefund,
    int SentButUnknown,
    int MaxSends,
    int OverSendBound,
    int ServerErrors,
    long NoAnswer,
    long MissingRetryAfter,
    string Refused,
    TimeSpan SettleTime)
{
    /// <summary>Header of the Markdown summary table.</summary>
    public const string Header =
        "| case | accepted (202) | lost | never final | stuck reserved | spent ≠ sent costs | money invariant broken | sends after refund | sent, unknown id | max operator sends | over bound | 5xx (not 503) | 429/503 without Retry-After | no answer | refusals | settle s |\n"
        + "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|";

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

        Check(Lost, "202 answers missing from the reports");
        Check(NeverFinal, "messages that never reached a final status");
        Check(StuckReserved, "reserved money left after settling (minor units)");
        Check(SpentMismatches, "users whose spent differs from their sent messages' costs");
        Check(MoneyInvariantBroken, "users whose available + reserved + spent differs from what they were charged");
        Check(SendsAfterRefund, "messages sent to the operator but refunded as failed");
        Check(SentButUnknown, "messages the operator got that no report knows");
        Check(OverSendBound, $"messages sent to the operator more than {spec.MaxSendsPerMessage} time(s)");
        Check(ServerErrors, "5xx answers other than 503");
        Check(MissingRetryAfter, "429/503 answers without Retry-After");
        return v;
    }

    /// <summary>One Markdown table row.</summary>
    public string Row() => string.Create(CultureInfo.InvariantCulture,
        $"| {Case} | {Accepted} | {Lost} | {NeverFinal} | {StuckReserved} | {SpentMismatches} | {MoneyInvariantBroken} | {SendsAfterRefund} | {SentButUnknown} | {MaxSends} | {OverSendBound} | {ServerErrors} | {MissingRetryAfter} | {NoAnswer} | {Refused} | {SettleTime.TotalSeconds:0} |");
}
