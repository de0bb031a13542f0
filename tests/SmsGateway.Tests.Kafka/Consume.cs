using SmsGateway.Transport;

namespace SmsGateway.Tests.Kafka;

internal static class Consume
{
    /// <summary>Reads deliveries until <paramref name="count"/> arrived or <paramref name="timeout"/> passed; returns what arrived.</summary>
    public static async Task<List<IDelivery>> TakeAsync(IMessageSubscription subscription, int count, TimeSpan timeout, bool ack = true)
    {
        var list = new List<IDelivery>();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            while (list.Count < count)
            {
                var d = await subscription.Deliveries.ReadAsync(cts.Token);
                if (ack)
                {
                    await d.AckAsync(CancellationToken.None);
                }

                list.Add(d);
            }
        }
        catch (OperationCanceledException)
        {
        }

        return list;
    }

    /// <summary>Asserts that nothing arrives for <paramref name="quiet"/>.</summary>
    public static async Task<IDelivery?> NextOrNullAsync(IMessageSubscription subscription, TimeSpan quiet)
    {
        using var cts = new CancellationTokenSource(quiet);
        try
        {
            return await subscription.Deliveries.ReadAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }
}
