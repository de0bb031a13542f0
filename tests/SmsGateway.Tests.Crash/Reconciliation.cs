using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;

namespace SmsGateway.Tests.Crash;

/// <summary>
/// After a case: polls the gateway until it has settled (every 202 in the reports with a final status, nothing reserved)
/// or the settle timeout ran out, then checks every promise through the public API and the operator's send log.
/// Promises (README "Durability", crash suite): a 202 reaches exactly one final status; per user
/// <c>available + reserved + spent == charged</c>, <c>reserved == 0</c> once settled and <c>spent</c> equal to the costs
/// of sent/delivered/undelivered messages, each of which the operator accepted; a refused request (4xx/5xx) charges
/// nothing: charged messages outside the 202s are at most the requests that got no answer (their outcome is unknown to
/// the client); nothing is sent after its refund; the operator sees each message once, or at most
/// <see cref="CaseSpec.MaxSendsPerMessage"/> times where a crash between the operator's accept and our capture is part of the case.
/// </summary>
public static class Reconciliation
{
    // "rejected": refused after accept (e.g. a reservation that expired unconfirmed); "expired"/"canceled": validity and cancel
    private static readonly HashSet<string> Final = ["sent", "delivered", "undelivered", "failed", "rejected", "expired", "canceled"];
    private static readonly HashSet<string> Charged = ["sent", "delivered", "undelivered"];
    private static readonly HashSet<string> Refunded = ["failed", "rejected", "expired", "canceled"];

    /// <summary>Polls until settled or <paramref name="settleTimeout"/>, then computes the figures.</summary>
    public static async Task<CaseFigures> RunAsync(CaseSpec spec, GatewayProcess host, IReadOnlyDictionary<string, long> charged,
        Traffic traffic, string sendLogPath, TimeSpan settleTimeout)
    {
        using var billing = host.Client(host.BillingPort, TimeSpan.FromSeconds(10));
        using var reports = host.Client(host.ReportPort, TimeSpan.FromSeconds(30));
        var watch = Stopwatch.StartNew();
        Snapshot snapshot;
        while (true)
        {
            snapshot = await ReadAsync(billing, reports, charged.Keys);
            if (snapshot.Settled(traffic) || watch.Elapsed > settleTimeout)
            {
                break;
            }

            await Task.Delay(1000);
        }

        if (!snapshot.Complete)
        {
            throw new InvalidOperationException($"{spec.Name}: the gateway did not answer the reconciliation reads within {settleTimeout}:\n{host.Output}");
        }

        var log = SendLog.Read(sendLogPath);
        var acceptedIds = traffic.Accepted.Select(a => Guid.Parse(a.Id)).ToHashSet();
        int lost = acceptedIds.Count(id => !snapshot.Messages.ContainsKey(id));
        int neverFinal = snapshot.Messages.Values.Count(m => !Final.Contains(m.Status));
        int sendsAfterRefund = snapshot.Messages.Count(kv => Refunded.Contains(kv.Value.Status) && log.SendsOf(kv.Key) > 0);
        int chargedNotSent = snapshot.Messages.Count(kv => Charged.Contains(kv.Value.Status) && log.SendsOf(kv.Key) == 0);
        var chargedOutside202 = snapshot.Messages.Where(kv => Charged.Contains(kv.Value.Status) && !acceptedIds.Contains(kv.Key)).Select(kv => kv.Key).ToList();
        int refusedButCharged = (int)Math.Max(0, chargedOutside202.Count - traffic.Unknown);
        int sentUnknown = log.AcceptedSends.Keys.Count(id => !snapshot.Messages.ContainsKey(id));
        int maxSends = log.AcceptedSends.Count == 0 ? 0 : log.AcceptedSends.Values.Max();
        int overBound = log.AcceptedSends.Values.Count(n => n > spec.MaxSendsPerMessage);
        long stuck = 0;
        int doubleCharges = 0, moneyBroken = 0;
        foreach (var (user, total) in charged)
        {
            var b = snapshot.Balances[user];
            stuck += b.Reserved;
            if (b.Available + b.Reserved + b.Spent != total || b.Available < 0 || b.Reserved < 0 || b.Spent < 0)
            {
                moneyBroken++;
            }

            var owed = snapshot.Messages.Values.Where(m => m.User == user && Charged.Contains(m.Status)).Sum(m => m.Cost);
            if (b.Spent != owed)
            {
                doubleCharges++;
            }
        }

        return new CaseFigures(spec.Name, acceptedIds.Count, lost, neverFinal, stuck, doubleCharges, moneyBroken, sendsAfterRefund,
            chargedNotSent, sentUnknown, maxSends, overBound, refusedButCharged, traffic.ServerErrors, traffic.Unknown, traffic.MissingRetryAfter,
            string.Join(" ", traffic.Refused.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key}:{kv.Value}")), traffic.AnswerMs(0.5), traffic.AnswerMs(0.99), watch.Elapsed)
        {
            ChargedOutside202 = chargedOutside202,
        };
    }

    private static async Task<Snapshot> ReadAsync(HttpClient billing, HttpClient reports, IEnumerable<string> users)
    {
        var balances = new Dictionary<string, (long Available, long Reserved, long Spent)>();
        var messages = new Dictionary<Guid, ReportedMessage>();
        foreach (var user in users)
        {
            try
            {
                var b = await billing.GetFromJsonAsync<JsonElement>($"/balance/{user}");
                balances[user] = (b.GetProperty("available").GetInt64(), b.GetProperty("reserved").GetInt64(), b.GetProperty("spent").GetInt64());
                string? cursor = null;
                do
                {
                    var page = await reports.GetFromJsonAsync<JsonElement>($"/report/{user}?limit=1000" + (cursor is null ? string.Empty : "&before=" + cursor));
                    foreach (var m in page.GetProperty("messages").EnumerateArray())
                    {
                        messages[m.GetProperty("id").GetGuid()] = new ReportedMessage(user, m.GetProperty("status").GetString()!, m.GetProperty("cost").GetInt64());
                    }

                    cursor = page.TryGetProperty("next_cursor", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
                }
                while (cursor is not null);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
            {
                // the gateway is still recovering: this snapshot is incomplete, the next poll tries again
                return new Snapshot(balances, messages, Complete: false);
            }
        }

        return new Snapshot(balances, messages, Complete: true);
    }

    private sealed record Snapshot(Dictionary<string, (long Available, long Reserved, long Spent)> Balances, Dictionary<Guid, ReportedMessage> Messages, bool Complete)
    {
        public bool Settled(Traffic traffic) =>
            Complete
            && Balances.Values.All(b => b.Reserved == 0)
            && Messages.Values.All(m => Final.Contains(m.Status))
            && traffic.Accepted.All(a => Messages.ContainsKey(Guid.Parse(a.Id)));
    }

    private readonly record struct ReportedMessage(string User, string Status, long Cost);
}
