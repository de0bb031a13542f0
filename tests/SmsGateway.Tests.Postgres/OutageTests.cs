using SmsGateway.Accept;
using SmsGateway.Billing;
using SmsGateway.Model;
using SmsGateway.Tests.Postgres.Fixtures;
using SmsGateway.Transport;
using SmsGateway.Transport.InMemory;

namespace SmsGateway.Tests.Postgres;

/// <summary>Issue 12: a PostgreSQL outage is waited out; no status event is dropped or dead-lettered.</summary>
[Collection(PostgresCollection.Name)]
public sealed class OutageTests(PostgresFixture fixture)
{
    [Fact(Timeout = 120_000)]
    public async Task A_15_second_store_outage_loses_no_status_event_and_dead_letters_nothing()
    {
        await using var db = await fixture.CreateMigratedAsync("outage");
        await using var transport = new InMemoryTransport();
        var ledger = new InMemoryBalanceLedger();
        var options = new PipelineOptions
        {
            StatusBatchMaxAge = TimeSpan.FromMilliseconds(50),
            StatusRetryDelay = TimeSpan.FromMilliseconds(200),
            OutageRetryMax = TimeSpan.FromSeconds(2),
        };
        await using var pipeline = new SmsPipelineBuilder().WithOptions(options).WithTransport(transport).WithLedger(ledger).WithStatusStore(db.Store).Build();
        await pipeline.StartAsync(PipelineRoles.All, CancellationToken.None);
        await ledger.ChargeAsync("u1", 10_000_000, "c1", CancellationToken.None);

        var ids = new List<Guid>();
        ids.AddRange(await SendAsync(pipeline, 100, 0));
        await fixture.Server.StopAsync();
        try
        {
            ids.AddRange(await SendAsync(pipeline, 300, 100)); // accepted, sent and captured while the store is down
            await Task.Delay(TimeSpan.FromSeconds(15));
        }
        finally
        {
            await fixture.Server.StartAgainAsync();
        }

        long stored = 0;
        for (var deadline = DateTime.UtcNow.AddSeconds(60); stored < ids.Count && DateTime.UtcNow < deadline; await Task.Delay(200))
        {
            stored = await db.ScalarAsync<long>("SELECT count(*) FROM messages WHERE status = $1", (short)MessageStatus.Sent);
        }

        Assert.Equal(ids.Count, stored); // every message reached its final status row
        Assert.Equal((long)ids.Count, await db.ScalarAsync<long>("SELECT count(*) FROM status_events WHERE status = $1", (short)MessageStatus.Sent));
        Assert.Empty(await transport.ListAsync(null, 10, CancellationToken.None));
        Assert.Equal(0, transport.Pending(Topics.Status, options.StatusGroup));
    }

    private static async Task<IEnumerable<Guid>> SendAsync(SmsPipeline pipeline, int count, int offset)
    {
        var results = await Task.WhenAll(Enumerable.Range(offset, count).Select(i =>
            pipeline.SendAsync(new SendRequest($"0912{i:D7}", "hello " + i, "normal", "u1"), CancellationToken.None)));
        Assert.All(results, r => Assert.Equal(AcceptStatus.Queued, r.Status));
        return results.Select(r => r.Message!.Id);
    }
}
