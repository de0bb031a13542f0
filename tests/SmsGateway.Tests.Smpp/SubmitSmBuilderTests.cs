using System.Text;
using SmsGateway.Model;
using SmsGateway.Operators.Smpp;
using SmsGateway.Operators.Smpp.Pdu;
using SmsGateway.Operators.Smpp.Submit;
using SmsGateway.Segmentation;

namespace SmsGateway.Tests.Smpp;

/// <summary>Encoding and concatenation of submit_sm bodies.</summary>
public sealed class SubmitSmBuilderTests
{
    private static readonly SmppConnectionOptions Options = new() { Host = "h", Port = 1, SystemId = "s", SourceAddr = "3000123" };

    private static readonly string Persian = string.Concat(Enumerable.Repeat("سلام دنیا، این یک پیام آزمایشی است. ", 5)).Trim(); // > 134 units: 3 parts

    [Fact]
    public void Gsm7_table_agrees_with_the_gateway_alphabet_on_every_utf16_unit()
    {
        for (int c = 0; c <= char.MaxValue; c++)
        {
            Assert.True(Gsm7Alphabet.SeptetCost((char)c) == Gsm7Septets.Count((char)c), $"U+{c:X4}");
        }
    }

    [Fact]
    public void Gsm7_goes_unpacked_one_septet_per_octet_with_escapes()
    {
        Assert.Equal(new byte[] { 0x00, 0x41, 0x1B, 0x65, 0x11, 0x1B, 0x3C }, Gsm7Septets.Encode("@A€_["));
        Assert.Equal("@A€_[", Gsm7Septets.Decode(Gsm7Septets.Encode("@A€_[")));
    }

    [Fact]
    public void Single_gsm_message()
    {
        var pdu = Assert.Single(SubmitSmBuilder.Build(TestMessages.Message("Hello {world}"), SourceAddress.Choose(null, Options), Options, 1, DateTimeOffset.UtcNow));
        Assert.Equal((0, 0, 1, "989121234567", (byte)1, (byte)1), (pdu.DataCoding, pdu.EsmClass, pdu.RegisteredDelivery, pdu.DestAddr, pdu.DestTon, pdu.DestNpi));
        Assert.Equal(Gsm7Septets.Encode("Hello {world}"), pdu.ShortMessage.ToArray());
    }

    [Fact]
    public void Persian_three_parts_with_udh8_and_67_units()
    {
        Assert.Equal(3, SegmentCalculator.Analyze(Persian).Segments);
        var pdus = SubmitSmBuilder.Build(TestMessages.Message(Persian), SourceAddress.Choose(null, Options), Options, 0x1A2, DateTimeOffset.UtcNow);
        Assert.Equal(3, pdus.Count);
        var text = new StringBuilder();
        for (int i = 0; i < 3; i++)
        {
            var sm = pdus[i].ShortMessage.ToArray();
            Assert.Equal(ShortMessagePdu.UdhIndicator, pdus[i].EsmClass);
            Assert.Equal(8, pdus[i].DataCoding);
            Assert.Equal(new byte[] { 5, 0, 3, 0xA2, 3, (byte)(i + 1) }, sm[..6]);
            if (i < 2)
            {
                Assert.Equal(67 * 2, sm.Length - 6);
            }

            text.Append(Encoding.BigEndianUnicode.GetString(sm, 6, sm.Length - 6));
        }

        Assert.Equal(Persian, text.ToString());
    }

    [Fact]
    public void Udh16_uses_iei_8_and_66_units()
    {
        var options = Options with { Concatenation = ConcatenationMode.Udh16 };
        var pdus = SubmitSmBuilder.Build(TestMessages.Message(Persian), SourceAddress.Choose(null, options), options, 0x1A2, DateTimeOffset.UtcNow);
        var first = pdus[0].ShortMessage.ToArray();
        Assert.Equal(new byte[] { 6, 8, 4, 0x01, 0xA2, (byte)pdus.Count, 1 }, first[..7]);
        Assert.Equal(66 * 2, first.Length - 7);
        Assert.Equal(Persian, string.Concat(pdus.Select(p => Encoding.BigEndianUnicode.GetString(p.ShortMessage.Span[7..]))));
    }

    [Fact]
    public void Sar_tlvs_carry_the_reference_and_no_udh()
    {
        var options = Options with { Concatenation = ConcatenationMode.Sar };
        var pdus = SubmitSmBuilder.Build(TestMessages.Message(Persian), SourceAddress.Choose(null, options), options, 0x0102, DateTimeOffset.UtcNow);
        Assert.Equal(3, pdus.Count);
        Assert.All(pdus, p => Assert.Equal(0, p.EsmClass));
        Assert.Equal([1, 2], pdus[2].Find(TlvTag.SarMsgRefNum)!.Value.ToArray());
        Assert.Equal([3], pdus[2].Find(TlvTag.SarTotalSegments)!.Value.ToArray());
        Assert.Equal([3], pdus[2].Find(TlvTag.SarSegmentSeqnum)!.Value.ToArray());
        Assert.Equal(134, pdus[0].ShortMessage.Length);
    }

    [Fact]
    public void Payload_sends_one_pdu_with_the_whole_text()
    {
        var options = Options with { Concatenation = ConcatenationMode.Payload };
        var pdu = Assert.Single(SubmitSmBuilder.Build(TestMessages.Message(Persian), SourceAddress.Choose(null, options), options, 1, DateTimeOffset.UtcNow));
        Assert.Equal(0, pdu.ShortMessage.Length);
        Assert.Equal(Persian, Encoding.BigEndianUnicode.GetString(pdu.Find(TlvTag.MessagePayload)!.Value.Span));
    }

    [Theory]
    [InlineData(ConcatenationMode.Udh8)]
    [InlineData(ConcatenationMode.Udh16)]
    public void A_surrogate_pair_at_a_part_boundary_moves_whole(ConcatenationMode mode)
    {
        // the pair would straddle unit 66/67 (udh16) or 67/68 (udh8)
        int before = mode == ConcatenationMode.Udh8 ? 66 : 65;
        var text = new string('ب', before) + "😀" + new string('ب', 80);
        var options = Options with { Concatenation = mode };
        var pdus = SubmitSmBuilder.Build(TestMessages.Message(text), SourceAddress.Choose(null, options), options, 1, DateTimeOffset.UtcNow);
        int udh = mode == ConcatenationMode.Udh8 ? 6 : 7;
        var parts = pdus.Select(p => Encoding.BigEndianUnicode.GetString(p.ShortMessage.Span[udh..])).ToList();
        Assert.Equal(new string('ب', before), parts[0]);
        Assert.StartsWith("😀", parts[1], StringComparison.Ordinal);
        Assert.Equal(text, string.Concat(parts));
    }

    [Theory]
    [InlineData(ConcatenationMode.Udh8, 152)]
    [InlineData(ConcatenationMode.Udh16, 151)]
    public void A_gsm_escape_at_a_part_boundary_moves_whole(ConcatenationMode mode, int before)
    {
        var text = new string('a', before) + "€" + new string('b', 100);
        var options = Options with { Concatenation = mode };
        var pdus = SubmitSmBuilder.Build(TestMessages.Message(text), SourceAddress.Choose(null, options), options, 1, DateTimeOffset.UtcNow);
        int udh = mode == ConcatenationMode.Udh8 ? 6 : 7;
        var first = pdus[0].ShortMessage.Span[udh..];
        Assert.Equal(before, first.Length);
        Assert.NotEqual(0x1B, first[^1]);
        Assert.Equal([0x1B, 0x65], pdus[1].ShortMessage.Span[udh..(udh + 2)].ToArray());
    }
}
