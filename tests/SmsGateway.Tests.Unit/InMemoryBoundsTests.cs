using SmsGateway.Idempotency;
using SmsGateway.Model;
using SmsGateway.Status;

namespace SmsGateway.Tests.Unit;

/// <summary>Issue 12 item 8: the embedded stores stay within their documented bounds and refuse clearly instead of growing.</summary>
public sealed class InMemoryBoundsTests
{
    [Fact]
    public async Task Idempotency_store_refuses_a_new_key_when_full_and_takes_keys_again_after_a_release()
    {
        using var store = new InMemoryIdempotencyStore(maxKeys: 3);
        var ttl = TimeSpan.FromHours(1);
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(IdempotencyState.Claimed, (await store.TryClaimAsync("k" + i, "f", ttl, CancellationToken.None)).State);
        }

        await Assert.ThrowsAsync<IdempotencyStoreUnavailableException>(() => store.TryClaimAsync("k3", "f", ttl, CancellationToken.None).AsTask());
        Assert.Equal(IdempotencyState.InProgress, (await store.TryClaimAsync("k0", "f", ttl, CancellationToken.None)).State); // held keys still answer

        await store.ReleaseAsync("k1", CancellationToken.None);
        Assert.Equal(IdempotencyState.Claimed, (await store.TryClaimAsync("k3", "f", ttl, CancellationToken.None)).State);
    }

    [Fact]
    public async Task Status_store_keeps_the_newest_messages_and_drops_the_oldest()
    {
        var store = new InMemoryStatusStore(maxMessages: 100);
        var ids = new List<Guid>();
        var at = DateTimeOffset.UtcNow;
        for (int i = 0; i < 250; i++)
        {
            var message = new SmsMessage(MessageIds.New(), i % 2 == 0 ? "even" : "odd", "+989121234567", "t", MessageType.Normal, "MCI",
                SmsEncoding.Gsm7, 1, 1150, at);
            ids.Add(message.Id);
            await store.WriteBatchAsync([StatusEvent.For(message, MessageStatus.Queued, at, attempt: 0), StatusEvent.For(message, MessageStatus.Sent, at, attempt: 1)],
                CancellationToken.None);
        }

        Assert.True(store.Evicted >= 150);
        Assert.Null(await store.GetMessageAsync(ids[0], null, CancellationToken.None));
        Assert.NotNull(await store.GetMessageAsync(ids[^1], null, CancellationToken.None));
        var even = await store.GetReportAsync(new ReportQuery("even", Limit: 1000), CancellationToken.None);
        var odd = await store.GetReportAsync(new ReportQuery("odd", Limit: 1000), CancellationToken.None);
        Assert.InRange(even.Messages.Count + odd.Messages.Count, 1, 100);
        Assert.Contains(odd.Messages, m => m.Id == ids[^1]);
        Assert.DoesNotContain(even.Messages, m => m.Id == ids[0]);
    }
}
