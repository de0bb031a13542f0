using System.Text;
using SmsGateway.Dispatch;
using SmsGateway.Operators.Smpp.Pdu;
using SmsGateway.Operators.Smpp.Receipts;

namespace SmsGateway.Tests.Smpp;

/// <summary>Receipt text (SMPP 3.4 Appendix B) and TLVs (§5.3.2.12, §5.3.2.35) into <see cref="DeliveryReceipt"/>.</summary>
public sealed class DeliveryReceiptParserTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);

    private static ShortMessagePdu Receipt(string text, params Tlv[] tlvs) =>
        new() { EsmClass = 0x04, ShortMessage = Encoding.ASCII.GetBytes(text), Tlvs = tlvs };

    [Fact]
    public void Delivered_text_receipt()
    {
        var pdu = Receipt("id:0000000a1b sub:001 dlvrd:001 submit date:2612011015 done date:2612011016 stat:DELIVRD err:000 text:hello");
        Assert.True(pdu.IsDeliveryReceipt);
        Assert.Equal(DeliveryReceiptParser.Result.Final, DeliveryReceiptParser.Parse("MCI", pdu, Now, out var r));
        Assert.Equal(new DeliveryReceipt("MCI", "0000000a1b", ReceiptOutcome.Delivered, "DELIVRD", "000", new DateTimeOffset(2026, 12, 1, 10, 16, 0, TimeSpan.Zero)), r);
    }

    [Theory]
    [InlineData("UNDELIV")]
    [InlineData("EXPIRED")]
    [InlineData("REJECTD")]
    [InlineData("DELETED")]
    [InlineData("UNKNOWN")]
    public void Final_failures_are_undelivered_and_keep_stat_and_err(string stat)
    {
        var pdu = Receipt($"id:77 sub:001 dlvrd:000 submit date:2612011015 done date:261201101612 stat:{stat} err:034 text:");
        Assert.Equal(DeliveryReceiptParser.Result.Final, DeliveryReceiptParser.Parse("MTN", pdu, Now, out var r));
        Assert.Equal(ReceiptOutcome.Undelivered, r.Outcome);
        Assert.Equal((stat, "034", "77"), (r.Stat, r.ErrorCode, r.OperatorMessageId));
        Assert.Equal(new DateTimeOffset(2026, 12, 1, 10, 16, 12, TimeSpan.Zero), r.DoneAt);
    }

    [Fact]
    public void Tlvs_win_over_the_text()
    {
        var pdu = Receipt(
            "id:123 sub:001 dlvrd:001 submit date:2612011015 done date:bad stat:DELIVRD err:000",
            new Tlv(TlvTag.ReceiptedMessageId, "7B\0"u8.ToArray()),
            Tlv.Byte(TlvTag.MessageState, 5));
        Assert.Equal(DeliveryReceiptParser.Result.Final, DeliveryReceiptParser.Parse("MCI", pdu, Now, out var r));
        Assert.Equal(("7B", ReceiptOutcome.Undelivered, "UNDELIV"), (r.OperatorMessageId, r.Outcome, r.Stat));
        Assert.Equal(Now, r.DoneAt); // unreadable done date: the time received
    }

    [Fact]
    public void Tlv_only_receipt_with_network_error_code()
    {
        var pdu = new ShortMessagePdu
        {
            EsmClass = 0x04,
            Tlvs = [new Tlv(TlvTag.ReceiptedMessageId, "abc\0"u8.ToArray()), Tlv.Byte(TlvTag.MessageState, 2), new Tlv(TlvTag.NetworkErrorCode, new byte[] { 3, 0, 5 })],
        };
        Assert.Equal(DeliveryReceiptParser.Result.Final, DeliveryReceiptParser.Parse("MCI", pdu, Now, out var r));
        Assert.Equal(("abc", ReceiptOutcome.Delivered, "DELIVRD", "005"), (r.OperatorMessageId, r.Outcome, r.Stat, r.ErrorCode));
    }

    [Fact]
    public void Intermediate_states_and_missing_ids_are_not_final()
    {
        Assert.Equal(DeliveryReceiptParser.Result.Intermediate, DeliveryReceiptParser.Parse("MCI", Receipt("id:1 stat:ENROUTE err:000"), Now, out _));
        Assert.Equal(DeliveryReceiptParser.Result.Intermediate, DeliveryReceiptParser.Parse("MCI", Receipt("id:1 stat:ACCEPTD"), Now, out _));
        Assert.Equal(DeliveryReceiptParser.Result.NoId, DeliveryReceiptParser.Parse("MCI", Receipt("sub:001 stat:DELIVRD"), Now, out _));
    }

    [Fact]
    public void Text_field_and_what_follows_it_is_not_parsed()
    {
        var fields = DeliveryReceiptParser.ParseText("id:9 stat:DELIVRD text:stat:UNDELIV id:10");
        Assert.Equal("9", fields["id"]);
        Assert.Equal("DELIVRD", fields["stat"]);
        Assert.False(fields.ContainsKey("text"));
    }

    [Fact]
    public void The_receipt_bit_is_bits_2_to_5_of_esm_class()
    {
        Assert.True(new ShortMessagePdu { EsmClass = 0x04 }.IsDeliveryReceipt);
        Assert.True(new ShortMessagePdu { EsmClass = 0x44 }.IsDeliveryReceipt);
        Assert.False(new ShortMessagePdu { EsmClass = 0x00 }.IsDeliveryReceipt);
        Assert.False(new ShortMessagePdu { EsmClass = 0x08 }.IsDeliveryReceipt); // SME delivery acknowledgement
    }
}
