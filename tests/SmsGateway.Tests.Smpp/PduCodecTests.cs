using System.Buffers;
using SmsGateway.Operators.Smpp;
using SmsGateway.Operators.Smpp.Pdu;

namespace SmsGateway.Tests.Smpp;

/// <summary>The PDU codec against byte layouts written out from SMPP v3.4 Issue 1.2 chapter 4.</summary>
public sealed class PduCodecTests
{
    [Fact]
    public void Bind_transceiver_has_the_spec_layout()
    {
        var pdu = PduCodec.EncodeBind(CommandId.BindTransceiver, 7, new BindRequest("esme", "pw", "GW"));
        byte[] expected =
        [
            0, 0, 0, 31, 0, 0, 0, 0x09, 0, 0, 0, 0, 0, 0, 0, 7,
            (byte)'e', (byte)'s', (byte)'m', (byte)'e', 0,
            (byte)'p', (byte)'w', 0,
            (byte)'G', (byte)'W', 0,
            0x34, 0, 0, 0,
        ];
        Assert.Equal(expected, pdu);
    }

    [Fact]
    public void Submit_sm_round_trips_with_tlvs()
    {
        var original = new ShortMessagePdu
        {
            SourceTon = 5,
            SourceAddr = "Bank",
            DestTon = 1,
            DestNpi = 1,
            DestAddr = "989121234567",
            EsmClass = 0x40,
            RegisteredDelivery = 1,
            DataCoding = 8,
            ShortMessage = new byte[] { 5, 0, 3, 9, 2, 1, 0x06, 0x33 },
            Tlvs = [Tlv.UInt16(TlvTag.SarMsgRefNum, 0x1234), Tlv.Byte(TlvTag.SarTotalSegments, 2)],
        };
        var bytes = PduCodec.EncodeShortMessage(CommandId.SubmitSm, 42, original);
        var seq = new ReadOnlySequence<byte>(bytes);
        Assert.True(PduFrame.TryRead(ref seq, out var frame));
        Assert.Equal(new PduHeader((uint)bytes.Length, CommandId.SubmitSm, 0, 42), frame.Header);
        var decoded = PduCodec.DecodeShortMessage(frame.Body);
        Assert.Equal(original.SourceAddr, decoded.SourceAddr);
        Assert.Equal(original.DestAddr, decoded.DestAddr);
        Assert.Equal((5, 1, 1, 0x40, 1, 8), (decoded.SourceTon, decoded.DestTon, decoded.DestNpi, decoded.EsmClass, decoded.RegisteredDelivery, decoded.DataCoding));
        Assert.Equal(original.ShortMessage.ToArray(), decoded.ShortMessage.ToArray());
        Assert.Equal([0x12, 0x34], decoded.Find(TlvTag.SarMsgRefNum)!.Value.ToArray());
        Assert.Equal([2], decoded.Find(TlvTag.SarTotalSegments)!.Value.ToArray());
        Assert.Null(decoded.Find(TlvTag.MessagePayload));
    }

    [Fact]
    public void Frames_are_read_only_when_whole_and_one_at_a_time()
    {
        var a = PduCodec.EncodeHeaderOnly(CommandId.EnquireLink, 0, 1);
        var b = PduCodec.EncodeDeliverSmResp(2, CommandStatus.Ok);
        var both = a.Concat(b).ToArray();

        var partial = new ReadOnlySequence<byte>(both, 0, 20);
        Assert.True(PduFrame.TryRead(ref partial, out var first));
        Assert.Equal(CommandId.EnquireLink, first.Header.Command);
        Assert.False(PduFrame.TryRead(ref partial, out _));

        var rest = new ReadOnlySequence<byte>(both, 16, both.Length - 16);
        Assert.True(PduFrame.TryRead(ref rest, out var second));
        Assert.Equal(CommandId.DeliverSmResp, second.Header.Command);
        Assert.Equal([0], second.Body);
        Assert.True(second.Header.IsResponse);
        Assert.Equal(0, rest.Length);
    }

    [Fact]
    public void A_command_length_below_the_header_size_is_a_protocol_error()
    {
        var seq = new ReadOnlySequence<byte>(new byte[] { 0, 0, 0, 8, 0, 0, 0, 0x15, 0, 0, 0, 0, 0, 0, 0, 1 });
        Assert.Throws<SmppProtocolException>(() => PduFrame.TryRead(ref seq, out _));
    }

    [Fact]
    public void Submit_sm_resp_message_id_and_empty_error_body()
    {
        Assert.Equal("abc123", PduCodec.DecodeSubmitSmResp("abc123\0"u8));
        Assert.Equal(string.Empty, PduCodec.DecodeSubmitSmResp([]));
        Assert.Throws<SmppProtocolException>(() => PduCodec.DecodeSubmitSmResp("no-nul"u8));
    }

    [Fact]
    public void A_truncated_deliver_sm_is_a_protocol_error()
    {
        var bytes = PduCodec.EncodeShortMessage(CommandId.DeliverSm, 1, new ShortMessagePdu { DestAddr = "98912", ShortMessage = new byte[] { 1, 2, 3 } });
        Assert.Throws<SmppProtocolException>(() => PduCodec.DecodeShortMessage(bytes.AsSpan(16, bytes.Length - 18)));
    }

    [Fact]
    public void Fields_longer_than_the_spec_allows_are_refused()
    {
        Assert.Throws<ArgumentException>(() => PduCodec.EncodeBind(CommandId.BindTransmitter, 1, new BindRequest("system-id-too-long", "pw", "")));
        Assert.Throws<ArgumentException>(() => PduCodec.EncodeShortMessage(CommandId.SubmitSm, 1, new ShortMessagePdu { ShortMessage = new byte[255] }));
    }
}
