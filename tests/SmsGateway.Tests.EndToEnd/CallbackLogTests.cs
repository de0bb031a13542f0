using SmsGateway.Host.Callbacks;

namespace SmsGateway.Tests.EndToEnd;

/// <summary>The per-message record of callback POSTs behind <c>GET /messages/{id}/callbacks</c>.</summary>
public sealed class CallbackLogTests
{
    /// <summary>
    /// A message's "sent" and "delivered" callbacks run at the same time when the receipt comes at once; the first
    /// attempt of each must not replace the other's record.
    /// </summary>
    [Fact(Timeout = 60_000)]
    public async Task First_attempts_of_two_statuses_recorded_at_the_same_time_are_both_kept()
    {
        using var log = new CallbackLog();
        var ids = Enumerable.Range(0, 60_000).Select(_ => Guid.NewGuid()).ToArray();
        var at = DateTimeOffset.UtcNow;

        async Task RecordAll(string status, Barrier start)
        {
            await Task.Yield();
            foreach (var id in ids)
            {
                start.SignalAndWait();
                log.Record(id, new CallbackAttempt(status, 1, at, "retrying", 500, "HTTP 500", at.AddSeconds(1)));
            }
        }

        using var start = new Barrier(2);
        await Task.WhenAll(
            Task.Factory.StartNew(() => RecordAll("sent", start), TaskCreationOptions.LongRunning).Unwrap(),
            Task.Factory.StartNew(() => RecordAll("delivered", start), TaskCreationOptions.LongRunning).Unwrap());

        var lost = ids.Where(id => log.Get(id).Count != 2).ToList();
        Assert.True(lost.Count == 0, $"{lost.Count} of {ids.Length} messages lost an attempt");
        Assert.All(ids, id => Assert.Equal(["delivered", "sent"], log.Get(id).Select(a => a.Status).Order()));
    }
}
