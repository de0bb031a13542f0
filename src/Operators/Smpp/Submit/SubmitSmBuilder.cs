using System.Text;
using SmsGateway.Model;
using SmsGateway.Operators.Smpp.Pdu;

namespace SmsGateway.Operators.Smpp.Submit;

/// <summary>
/// Turns one gateway message into the submit_sm bodies that carry it (SMPP v3.4 Issue 1.2, §4.4.1): data_coding 0 with
/// unpacked GSM-7 septets or 8 with UCS-2 (UTF-16BE), split and concatenated as the connection says.
/// </summary>
/// <remarks>Thread-safe: stateless.</remarks>
internal static class SubmitSmBuilder
{
    /// <summary>data_coding 0: SMSC default alphabet (§5.2.19).</summary>
    public const byte DataCodingDefault = 0x00;

    /// <summary>data_coding 8: UCS-2 (§5.2.19).</summary>
    public const byte DataCodingUcs2 = 0x08;

    /// <summary>The submit_sm bodies for <paramref name="message"/>, in part order.</summary>
    /// <param name="message">The message; its text is split here (the billed segment count came from the same rules).</param>
    /// <param name="source">Sender and its TON/NPI.</param>
    /// <param name="options">The operator's connection (concatenation mode, registered_delivery, service_type).</param>
    /// <param name="reference">Concatenation reference shared by the parts (the low 8 bits for <c>udh8</c>).</param>
    /// <param name="now">The send time: <c>validity_period</c> is the message's remaining validity from it (<see cref="SmppTime.ValidityPeriod"/>).</param>
    public static IReadOnlyList<ShortMessagePdu> Build(SmsMessage message, SourceAddress source, SmppConnectionOptions options, ushort reference, DateTimeOffset now)
    {
        var (encoding, parts) = PartSplitter.Split(message.Text, options.Concatenation);
        var dest = message.Msisdn.StartsWith('+') ? message.Msisdn[1..] : message.Msisdn;
        var template = new ShortMessagePdu
        {
            ServiceType = options.ServiceType,
            SourceTon = source.Ton,
            SourceNpi = source.Npi,
            SourceAddr = source.Address,
            DestTon = 1, // international (E.164 without '+')
            DestNpi = 1, // ISDN
            DestAddr = dest,
            ValidityPeriod = SmppTime.ValidityPeriod(message.ValidUntil, now),
            RegisteredDelivery = options.RegisteredDelivery ? (byte)1 : (byte)0,
            DataCoding = encoding == SmsEncoding.Gsm7 ? DataCodingDefault : DataCodingUcs2,
        };

        if (options.Concatenation == ConcatenationMode.Payload && parts.Count == 1 && SegmentsOf(message.Text) > 1)
        {
            return [template with { Tlvs = [new Tlv(TlvTag.MessagePayload, Encode(parts[0], encoding))] }];
        }

        if (parts.Count == 1)
        {
            return [template with { ShortMessage = Encode(parts[0], encoding) }];
        }

        var pdus = new ShortMessagePdu[parts.Count];
        for (int i = 0; i < parts.Count; i++)
        {
            var body = Encode(parts[i], encoding);
            byte total = (byte)parts.Count, seq = (byte)(i + 1);
            pdus[i] = options.Concatenation switch
            {
                ConcatenationMode.Sar => template with
                {
                    ShortMessage = body,
                    Tlvs = [Tlv.UInt16(TlvTag.SarMsgRefNum, reference), Tlv.Byte(TlvTag.SarTotalSegments, total), Tlv.Byte(TlvTag.SarSegmentSeqnum, seq)],
                },
                ConcatenationMode.Udh16 => template with
                {
                    EsmClass = ShortMessagePdu.UdhIndicator,
                    ShortMessage = Concat([0x06, 0x08, 0x04, (byte)(reference >> 8), (byte)reference, total, seq], body),
                },
                _ => template with
                {
                    EsmClass = ShortMessagePdu.UdhIndicator,
                    ShortMessage = Concat([0x05, 0x00, 0x03, (byte)reference, total, seq], body),
                },
            };
        }

        return pdus;
    }

    private static int SegmentsOf(string text) => Segmentation.SegmentCalculator.Analyze(text).Segments;

    private static byte[] Encode(string text, SmsEncoding encoding) =>
        encoding == SmsEncoding.Gsm7 ? Gsm7Septets.Encode(text) : Encoding.BigEndianUnicode.GetBytes(text);

    private static byte[] Concat(ReadOnlySpan<byte> udh, byte[] body)
    {
        var result = new byte[udh.Length + body.Length];
        udh.CopyTo(result);
        body.CopyTo(result, udh.Length);
        return result;
    }
}
