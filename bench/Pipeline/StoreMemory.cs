using System.Globalization;
using SmsGateway.Model;
using SmsGateway.Serialization;
using SmsGateway.Status;

namespace SmsGateway.Bench.Pipeline;

/// <summary>
/// Memory the embedded status store keeps per message: <c>dotnet run -c Release --project bench -- store-memory [messages]</c>
/// writes <c>messages</c> messages of 100 users, each with the events of a sent and delivered message (queued, sent,
/// delivered) in batches of 1,000, every event decoded from its own JSON as the status stage receives it, and prints the
/// managed heap after a full collection, per message.
/// </summary>
public static class StoreMemory
{
    public static async Task RunAsync(string[] args)
    {
        int messages = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 200_000;
        var store = new InMemoryStatusStore(messages);
        var at = DateTimeOffset.UtcNow;
        long before = GC.GetTotalMemory(forceFullCollection: true);
        var batch = new List<StatusEvent>(1000);
        for (int i = 0; i < messages; i++)
        {
            var first = new StatusEvent(MessageIds.New(at), "user" + (i % 100), MessageStatus.Queued, 0, at, "98912" + i.ToString("D7", CultureInfo.InvariantCulture),
                "mci", MessageType.Normal, SmsEncoding.Gsm7, 1, 1250, at);
            foreach (var e in new[] { first, first with { Status = MessageStatus.Sent, Attempt = 1 }, first with { Status = MessageStatus.Delivered, Attempt = 1 } })
            {
                batch.Add(PipelineJson.DeserializeStatus(PipelineJson.Serialize(e)));
            }

            if (batch.Count >= 1000)
            {
                await store.WriteBatchAsync(batch, CancellationToken.None);
                batch.Clear();
            }
        }

        await store.WriteBatchAsync(batch, CancellationToken.None);
        batch.Clear();
        long after = GC.GetTotalMemory(forceFullCollection: true);
        Console.WriteLine($"{messages:N0} messages with 3 events each: {(after - before) / (double)messages:N0} B of managed heap per stored message");
        GC.KeepAlive(store);
    }
}
