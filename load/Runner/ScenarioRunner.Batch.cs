using System.Diagnostics;
using System.Globalization;

namespace SmsGateway.Load.Runner;

/// <summary>The batch scenario (issue 16): <c>POST /send/batch</c> requests of <see cref="ScenarioSpec.BatchSize"/> phones, then the money check.</summary>
public sealed partial class ScenarioRunner
{
    private long _batches;

    private async Task SendBatchAsync(int size, TrafficMix mix, ScenarioStats stats, long intended, long started, CancellationToken ct)
    {
        var phones = new string[size];
        for (int i = 0; i < size; i++) phones[i] = mix.Next().Phone;
        var user = mix.UserAt(Interlocked.Increment(ref _batches));
        var (status, accepted, error) = await client.SendBatchAsync(user, phones, "Your order has shipped", "normal", ct).ConfigureAwait(false);
        stats.Record(false, intended, started, Stopwatch.GetTimestamp(), status, status == 0 ? "transport: " + error?.Split(':')[0] : status == 202 ? null : $"HTTP {status} {error}".TrimEnd());
        if (status == 202) stats.RecordMessages(accepted);
    }

    /// <summary>
    /// After a batch scenario: queued messages/s, and per user <c>available + reserved + spent == charged</c> (DESIGN.md "Money"),
    /// read while the gateway may still be sending (the invariant holds at every instant).
    /// </summary>
    private async Task<List<string>> CheckBatchRunAsync(ScenarioStats stats, IReadOnlyList<string> users, CancellationToken ct)
    {
        long mismatches = 0;
        var notes = new List<string>
        {
            string.Create(CultureInfo.InvariantCulture, $"batch: {stats.Messages:N0} messages queued in {stats.Ok:N0} batch requests over {stats.ElapsedSeconds:F1} s = {stats.MessageThroughput:F0} msg/s"),
        };
        foreach (var user in users)
        {
            var b = await client.BalanceAsync(user, ct).ConfigureAwait(false);
            if (b.Available + b.Reserved + b.Spent != options.ChargePerUser || b.Available < 0 || b.Reserved < 0 || b.Spent < 0)
            {
                mismatches++;
                notes.Add($"MONEY: {user} available {b.Available} + reserved {b.Reserved} + spent {b.Spent} != charged {options.ChargePerUser}");
            }
        }

        stats.MoneyMismatches = mismatches;
        notes.Add(mismatches == 0 ? $"money: available + reserved + spent == charged for all {users.Count} users" : $"money: {mismatches} users do not add up");
        log.WriteLine("   " + notes[0]);
        return notes;
    }
}
