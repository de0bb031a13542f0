using System.Diagnostics;
using System.Threading.Channels;
using SmsGateway.Dispatch;
using SmsGateway.Operators.Smpp;

namespace SmsGateway.Tests.Smpp;

/// <summary>deliver_sm answers (MO messages, a failing sink) and the per-bind throughput limit.</summary>
public sealed class DeliverTests
{
    [Fact(Timeout = 30_000)]
    public async Task Mobile_originated_messages_reach_the_handler_and_are_answered()
    {
        await using var smsc = await SmppSmsc.StartAsync();
        var handler = new RecordingMoHandler();
        await using var client = (SmppOperatorClient)new SmppConnectionFactory(new RecordingSink(), handler).Create("MCI", TestMessages.Connection(smsc));
        await client.Transmitters[0].WhenBound.WaitAsync(TimeSpan.FromSeconds(10));
        await smsc.SendMobileOriginatedAsync("989121234567", "3000123", "لغو ۱۱");

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var mo = await handler.Messages.Reader.ReadAsync(cts.Token);
        Assert.Equal(("MCI", "989121234567", "3000123", "لغو ۱۱"), (mo.Operator, mo.Source, mo.Destination, mo.Text));
        var state = await TestMessages.WaitForStateAsync(smsc, s => s.GetProperty("mo_acked").GetArrayLength() == 1);
        Assert.Equal(0, Assert.Single(state.GetProperty("mo_acked").EnumerateArray()).GetProperty("status").GetInt32());
    }

    [Fact(Timeout = 30_000)]
    public async Task A_receipt_the_sink_cannot_queue_is_answered_with_a_temporary_error()
    {
        await using var smsc = await SmppSmsc.StartAsync();
        await using var client = (SmppOperatorClient)new SmppConnectionFactory(new FailingSink()).Create("MCI", TestMessages.Connection(smsc));
        await client.Transmitters[0].WhenBound.WaitAsync(TimeSpan.FromSeconds(10));
        await smsc.ConfigureAsync(new { receipt = "DELIVRD" });
        Assert.Equal(SendOutcome.Accepted, (await client.SendAsync(TestMessages.Message("x"), CancellationToken.None)).Outcome);
        var state = await TestMessages.WaitForStateAsync(smsc, s => s.GetProperty("receipts_acked").GetArrayLength() == 1);
        Assert.Equal(0x64, Assert.Single(state.GetProperty("receipts_acked").EnumerateArray()).GetProperty("status").GetInt32()); // ESME_RX_T_APPN
    }

    [Fact(Timeout = 30_000)]
    public async Task The_throughput_limit_spaces_submits_on_a_bind()
    {
        await using var smsc = await SmppSmsc.StartAsync();
        await using var client = await TestMessages.BoundClientAsync(smsc, extra: new { throughput_per_second = 20 });
        var sw = Stopwatch.StartNew();
        var results = await Task.WhenAll(Enumerable.Range(0, 30).Select(i => client.SendAsync(TestMessages.Message($"m{i}"), CancellationToken.None).AsTask()));
        Assert.All(results, r => Assert.Equal(SendOutcome.Accepted, r.Outcome));

        // 30 submits at 20/s with a bucket of 1 cannot finish in under 29 / 20 s; a lower bound only, so a slow machine cannot fail it
        Assert.True(sw.Elapsed >= TimeSpan.FromSeconds(1.4), $"30 submits took {sw.Elapsed.TotalMilliseconds:N0} ms");
    }

    private sealed class RecordingMoHandler : IMobileOriginatedHandler
    {
        public Channel<MobileOriginatedMessage> Messages { get; } = Channel.CreateUnbounded<MobileOriginatedMessage>();

        public ValueTask OnMessageAsync(MobileOriginatedMessage message, CancellationToken cancellationToken) => Messages.Writer.WriteAsync(message, cancellationToken);
    }

    private sealed class FailingSink : IDeliveryReceiptSink
    {
        public ValueTask OnReceiptAsync(DeliveryReceipt receipt, CancellationToken cancellationToken) => throw new InvalidOperationException("status queue full");
    }
}
