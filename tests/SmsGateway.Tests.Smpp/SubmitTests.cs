using System.Collections.Concurrent;
using System.Text.Json;
using SmsGateway.Dispatch;
using SmsGateway.Model;
using SmsGateway.Operators.Smpp;

namespace SmsGateway.Tests.Smpp;

/// <summary>submit_sm against the npm <c>smpp</c> SMSC: ids, receipts, throttling, errors, drops, multipart.</summary>
public sealed class SubmitTests
{
    [Fact(Timeout = 30_000)]
    public async Task Submit_returns_the_smsc_message_id_and_sends_the_configured_fields()
    {
        await using var smsc = await SmppSmsc.StartAsync();
        await using var client = await TestMessages.BoundClientAsync(smsc);
        var result = await client.SendAsync(TestMessages.Message("Price: 10€ {ok}", "+989351112233"), CancellationToken.None);

        var submit = Assert.Single(SessionTests.Submits(await smsc.StateAsync()));
        Assert.Equal(SendOutcome.Accepted, result.Outcome);
        Assert.Equal(submit.GetProperty("message_id").GetString(), result.OperatorMessageId);
        Assert.Equal("Price: 10€ {ok}", submit.GetProperty("text").GetString()); // data_coding 0 read back by the npm package's GSM 03.38 decoder
        Assert.Equal(0, submit.GetProperty("data_coding").GetInt32());
        Assert.Equal(1, submit.GetProperty("registered_delivery").GetInt32());
        Assert.Equal(("3000123", 0, 1), (submit.GetProperty("source_addr").GetString(), submit.GetProperty("source_addr_ton").GetInt32(), submit.GetProperty("source_addr_npi").GetInt32()));
        Assert.Equal(("989351112233", 1), (submit.GetProperty("destination_addr").GetString(), submit.GetProperty("dest_addr_ton").GetInt32()));
    }

    [Theory(Timeout = 30_000)]
    [InlineData("DELIVRD", false, false)]
    [InlineData("UNDELIV", false, false)]
    [InlineData("DELIVRD", true, false)]
    [InlineData("UNDELIV", true, true)]
    public async Task Receipts_reach_the_sink_and_are_answered(string stat, bool tlvs, bool beforeResp)
    {
        await using var smsc = await SmppSmsc.StartAsync();
        var sink = new RecordingSink();
        await using var client = await TestMessages.BoundClientAsync(smsc, sink);
        await smsc.ConfigureAsync(new { receipt = stat, receipt_tlvs = tlvs, receipt_before_resp = beforeResp });

        var result = await client.SendAsync(TestMessages.Message("receipt please"), CancellationToken.None);
        var receipt = await sink.NextAsync();
        Assert.Equal(SendOutcome.Accepted, result.Outcome);
        Assert.Equal("MCI", receipt.Operator);
        Assert.Equal(result.OperatorMessageId, receipt.OperatorMessageId);
        Assert.Equal(stat == "DELIVRD" ? ReceiptOutcome.Delivered : ReceiptOutcome.Undelivered, receipt.Outcome);
        Assert.Equal((stat, stat == "DELIVRD" ? "000" : "001"), (receipt.Stat, receipt.ErrorCode));

        var state = await TestMessages.WaitForStateAsync(smsc, s => s.GetProperty("receipts_acked").GetArrayLength() == 1);
        Assert.Equal(0, Assert.Single(state.GetProperty("receipts_acked").EnumerateArray()).GetProperty("status").GetInt32());
    }

    [Fact(Timeout = 30_000)]
    public async Task Throttled_submits_are_retried_within_the_attempt()
    {
        await using var smsc = await SmppSmsc.StartAsync();
        await using var client = await TestMessages.BoundClientAsync(smsc);
        await smsc.ConfigureAsync(new { throttle_next = 3 });
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        var result = await client.SendAsync(TestMessages.Message("slow down"), cts.Token);

        var submits = SessionTests.Submits(await smsc.StateAsync());
        Assert.Equal(SendOutcome.Accepted, result.Outcome);
        Assert.Equal([0x58, 0x58, 0x58, 0], submits.Select(s => s.GetProperty("status").GetInt32()));
        Assert.Equal(submits[3].GetProperty("message_id").GetString(), result.OperatorMessageId);
    }

    [Fact(Timeout = 30_000)]
    public async Task Throttling_past_the_send_timeout_is_a_transient_failure_with_the_status()
    {
        await using var smsc = await SmppSmsc.StartAsync();
        await using var client = await TestMessages.BoundClientAsync(smsc);
        await smsc.ConfigureAsync(new { throttle_next = 1_000_000 });
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(400));
        var result = await client.SendAsync(TestMessages.Message("never"), cts.Token);
        Assert.Equal(new SendResult(SendOutcome.TransientFailure, "0x00000058"), result);
        Assert.True(SessionTests.Submits(await smsc.StateAsync()).Length >= 2);
    }

    [Fact(Timeout = 30_000)]
    public async Task An_invalid_destination_is_a_permanent_failure_with_the_status()
    {
        await using var smsc = await SmppSmsc.StartAsync();
        await using var client = await TestMessages.BoundClientAsync(smsc);
        await smsc.ConfigureAsync(new { status_for_dest = new Dictionary<string, int> { ["989120000000"] = 0x0B } });
        var result = await client.SendAsync(TestMessages.Message("nobody", "+989120000000"), CancellationToken.None);
        Assert.Equal(new SendResult(SendOutcome.PermanentFailure, "0x0000000B"), result);
        Assert.Single(SessionTests.Submits(await smsc.StateAsync()));
    }

    [Fact(Timeout = 30_000)]
    public async Task A_response_timeout_is_transient_and_not_resubmitted()
    {
        await using var smsc = await SmppSmsc.StartAsync();
        await using var client = await TestMessages.BoundClientAsync(smsc, extra: new { response_timeout_ms = 200 });
        await smsc.ConfigureAsync(new { delay_ms = 1000 });
        var result = await client.SendAsync(TestMessages.Message("late"), CancellationToken.None);
        Assert.Equal(new SendResult(SendOutcome.TransientFailure, "timeout"), result);
        await Task.Delay(1200); // the late answer arrives and is dropped
        Assert.Single(SessionTests.Submits(await smsc.StateAsync()));
    }

    [Fact(Timeout = 60_000)]
    public async Task A_connection_dropped_mid_window_loses_nothing_and_never_resubmits_within_an_attempt()
    {
        await using var smsc = await SmppSmsc.StartAsync();
        await using var client = await TestMessages.BoundClientAsync(smsc, extra: new { window = 10 });
        await smsc.ConfigureAsync(new { delay_ms = 150, drop_at_submit = 7 });

        var ids = Enumerable.Range(0, 40).Select(_ => Guid.CreateVersion7()).ToArray();
        var accepted = new ConcurrentDictionary<Guid, string>();
        var attempts = new ConcurrentDictionary<Guid, int>();
        await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = 20 }, async (id, _) =>
        {
            // the dispatcher's behaviour: a transient failure comes back as the next attempt
            for (int attempt = 1; attempt <= 5; attempt++)
            {
                attempts[id] = attempt;
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                var r = await client.SendAsync(TestMessages.Message($"{id} a{attempt}", attempt: attempt, id: id), cts.Token);
                if (r.Outcome == SendOutcome.Accepted)
                {
                    accepted[id] = r.OperatorMessageId!;
                    return;
                }

                Assert.Equal(SendOutcome.TransientFailure, r.Outcome);
            }
        });

        var submits = SessionTests.Submits(await smsc.StateAsync());
        Assert.Equal(ids.Length, accepted.Count); // no message lost
        Assert.Contains(attempts.Values, a => a > 1); // the drop did cut some attempts
        Assert.All(submits.GroupBy(s => s.GetProperty("text").GetString()), g => Assert.Single(g)); // one submit per message and attempt
        var answered = submits.Where(s => s.GetProperty("answered").GetBoolean()).ToDictionary(s => s.GetProperty("text").GetString()!, s => s.GetProperty("message_id").GetString());
        Assert.All(ids, id => Assert.Equal(answered[$"{id} a{attempts[id]}"], accepted[id]));
        Assert.True((await smsc.StateAsync()).GetProperty("binds").GetArrayLength() >= 2);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_persian_three_part_message_arrives_with_udh_and_67_unit_parts()
    {
        await using var smsc = await SmppSmsc.StartAsync();
        await using var client = await TestMessages.BoundClientAsync(smsc);
        var text = string.Concat(Enumerable.Repeat("سلام دنیا، این یک پیام آزمایشی است. ", 5)).Trim();
        var message = TestMessages.Message(text);
        Assert.Equal((SmsEncoding.Ucs2, 3), (message.Encoding, message.Segments));

        var result = await client.SendAsync(message, CancellationToken.None);
        var parts = SessionTests.Submits(await smsc.StateAsync());
        Assert.Equal(SendOutcome.Accepted, result.Outcome);
        Assert.Equal(3, parts.Length);
        var udh = parts.Select(p => Assert.Single(p.GetProperty("udh").EnumerateArray()).GetString()!).ToArray();
        var reference = udh[0][4..6];
        Assert.Equal([$"0003{reference}0301", $"0003{reference}0302", $"0003{reference}0303"], udh); // IEI 0, length 3, ref, total, seq
        Assert.All(parts, p => Assert.Equal((8, 0x40), (p.GetProperty("data_coding").GetInt32(), p.GetProperty("esm_class").GetInt32() & 0x40)));
        var texts = parts.Select(p => p.GetProperty("text").GetString()!).ToArray();
        Assert.Equal([67, 67, text.Length - 134], texts.Select(t => t.Length));
        Assert.Equal(text, string.Concat(texts));
        Assert.Equal(parts[2].GetProperty("message_id").GetString(), result.OperatorMessageId); // the last part's id
    }

    [Theory(Timeout = 30_000)]
    [InlineData("sar")]
    [InlineData("payload")]
    public async Task Other_concatenation_modes_reach_the_smsc(string mode)
    {
        await using var smsc = await SmppSmsc.StartAsync();
        await using var client = await TestMessages.BoundClientAsync(smsc, extra: new { concatenation = mode });
        var text = string.Concat(Enumerable.Repeat("0123456789", 20)); // 200 septets: 2 parts
        Assert.Equal(SendOutcome.Accepted, (await client.SendAsync(TestMessages.Message(text), CancellationToken.None)).Outcome);
        var submits = SessionTests.Submits(await smsc.StateAsync());
        if (mode == "sar")
        {
            Assert.Equal(2, submits.Length);
            Assert.Equal([2, 1], submits[0].GetProperty("sar").EnumerateArray().Skip(1).Select(e => e.GetInt32()));
            Assert.Equal([2, 2], submits[1].GetProperty("sar").EnumerateArray().Skip(1).Select(e => e.GetInt32()));
            Assert.Equal(text, string.Concat(submits.Select(s => s.GetProperty("text").GetString())));
        }
        else
        {
            var submit = Assert.Single(submits);
            Assert.Equal(text, submit.GetProperty("payload").GetString());
        }
    }
}
