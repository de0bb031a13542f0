using System.Text.Json;
using SmsGateway.Dispatch;
using SmsGateway.Operators.Smpp;

namespace SmsGateway.Tests.Smpp;

/// <summary>Binding, keep-alive, reconnect and unbind against the npm <c>smpp</c> SMSC.</summary>
public sealed class SessionTests
{
    [Fact(Timeout = 30_000)]
    public async Task Binds_as_transceiver_and_unbinds_on_dispose()
    {
        await using var smsc = await SmppSmsc.StartAsync();
        var client = await TestMessages.BoundClientAsync(smsc, extra: new { binds = 2 });
        var state = await TestMessages.WaitForStateAsync(smsc, s => s.GetProperty("binds").GetArrayLength() == 2);
        Assert.All(state.GetProperty("binds").EnumerateArray(), b =>
        {
            Assert.Equal("transceiver", b.GetProperty("mode").GetString());
            Assert.Equal(0x34, b.GetProperty("interface_version").GetInt32());
        });

        await client.DisposeAsync();
        state = await TestMessages.WaitForStateAsync(smsc, s => s.GetProperty("unbinds").GetInt32() == 2 && s.GetProperty("sessions").GetInt32() == 0);
        Assert.Equal(2, state.GetProperty("unbinds").GetInt32());
        Assert.Equal(0, state.GetProperty("sessions").GetInt32());
    }

    [Fact(Timeout = 30_000)]
    public async Task Tx_rx_mode_binds_a_transmitter_and_a_receiver_and_receipts_come_on_the_receiver()
    {
        await using var smsc = await SmppSmsc.StartAsync();
        var sink = new RecordingSink();
        await using var client = await TestMessages.BoundClientAsync(smsc, sink, new { bind_mode = "tx_rx" });
        var state = await TestMessages.WaitForStateAsync(smsc, s => s.GetProperty("binds").GetArrayLength() == 2);
        Assert.Equal(["receiver", "transmitter"], state.GetProperty("binds").EnumerateArray().Select(b => b.GetProperty("mode").GetString()).Order());

        await smsc.ConfigureAsync(new { receipt = "DELIVRD" });
        var result = await client.SendAsync(TestMessages.Message("over a pair"), CancellationToken.None);
        Assert.Equal(SendOutcome.Accepted, result.Outcome);
        Assert.Equal(result.OperatorMessageId, (await sink.NextAsync()).OperatorMessageId);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_refused_bind_is_retried_and_sends_time_out_as_transient()
    {
        await using var smsc = await SmppSmsc.StartAsync();
        var factory = new SmppConnectionFactory();
        var connection = TestMessages.Connection(smsc, new { password = "wrong" });
        await using var client = (SmppOperatorClient)factory.Create("MCI", connection);
        var state = await TestMessages.WaitForStateAsync(smsc, s => s.GetProperty("bind_failures").GetInt32() >= 2);
        Assert.True(state.GetProperty("bind_failures").GetInt32() >= 2);
        Assert.False(client.Transmitters[0].IsBound);

        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var result = await client.SendAsync(TestMessages.Message("never bound"), cts.Token);
        Assert.Equal(new SendResult(SendOutcome.TransientFailure, "timeout"), result);
        Assert.Equal(0, (await smsc.StateAsync()).GetProperty("submits").GetArrayLength());
    }

    [Fact(Timeout = 30_000)]
    public async Task Enquire_link_keeps_an_idle_bind()
    {
        await using var smsc = await SmppSmsc.StartAsync();
        await using var client = await TestMessages.BoundClientAsync(smsc, extra: new { enquire_link_interval_ms = 150, dead_link_timeout_ms = 3000 });
        var state = await TestMessages.WaitForStateAsync(smsc, s => s.GetProperty("enquire_links").GetInt32() >= 4);
        Assert.True(state.GetProperty("enquire_links").GetInt32() >= 4);
        Assert.Equal(1, state.GetProperty("binds").GetArrayLength()); // the same bind, never re-established
        Assert.Equal(1, client.Transmitters[0].BindCount);
        Assert.Equal(SendOutcome.Accepted, (await client.SendAsync(TestMessages.Message("still bound"), CancellationToken.None)).Outcome);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_link_that_stops_answering_enquire_link_is_declared_dead_and_rebound()
    {
        await using var smsc = await SmppSmsc.StartAsync();
        await using var client = await TestMessages.BoundClientAsync(smsc, extra: new { enquire_link_interval_ms = 100, dead_link_timeout_ms = 200 });
        await smsc.ConfigureAsync(new { ignore_enquire_link = true });
        var state = await TestMessages.WaitForStateAsync(smsc, s => s.GetProperty("binds").GetArrayLength() >= 2);
        Assert.True(state.GetProperty("binds").GetArrayLength() >= 2);
        Assert.True(client.Transmitters[0].BindCount >= 2);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_dropped_connection_is_rebound_and_sending_goes_on()
    {
        await using var smsc = await SmppSmsc.StartAsync();
        await using var client = await TestMessages.BoundClientAsync(smsc);
        await smsc.DropAsync();
        var bind = client.Transmitters[0];
        while (bind.BindCount < 2 || !bind.IsBound)
        {
            await Task.Delay(10);
        }

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        var result = await client.SendAsync(TestMessages.Message("after the drop"), cts.Token);
        Assert.Equal(SendOutcome.Accepted, result.Outcome);
        var state = await smsc.StateAsync();
        Assert.Equal(2, state.GetProperty("binds").GetArrayLength());
        Assert.Equal("after the drop", Assert.Single(state.GetProperty("submits").EnumerateArray()).GetProperty("text").GetString());
    }

    internal static JsonElement[] Submits(JsonElement state) => [.. state.GetProperty("submits").EnumerateArray()];
}
