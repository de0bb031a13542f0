using System.Threading.Channels;
using SmsGateway.Dispatch;

namespace SmsGateway.Tests.Smpp;

/// <summary>A receipt sink that keeps what it gets, in order.</summary>
internal sealed class RecordingSink : IDeliveryReceiptSink
{
    private readonly Channel<DeliveryReceipt> _receipts = Channel.CreateUnbounded<DeliveryReceipt>();

    public ValueTask OnReceiptAsync(DeliveryReceipt receipt, CancellationToken cancellationToken) => _receipts.Writer.WriteAsync(receipt, cancellationToken);

    /// <summary>The next receipt, waiting up to 10 s.</summary>
    public async Task<DeliveryReceipt> NextAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return await _receipts.Reader.ReadAsync(cts.Token);
    }
}
