namespace SmsGateway.Operators.Smpp.Pdu;

/// <summary>
/// Encodes the PDUs the ESME sends and decodes the ones it receives (SMPP v3.4 Issue 1.2, chapter 4). Field sizes are the
/// spec's maxima, NUL excluded.
/// </summary>
/// <remarks>Thread-safe: stateless. Decoders throw <see cref="SmppProtocolException"/> on a malformed body.</remarks>
internal static class PduCodec
{
    /// <summary>A PDU that is only a header: enquire_link, unbind and their responses, generic_nack (§4.2, §4.3, §4.11).</summary>
    public static byte[] EncodeHeaderOnly(CommandId command, uint status, uint sequence) =>
        new PduWriter(command, status, sequence).ToArray();

    /// <summary>bind_transmitter / bind_receiver / bind_transceiver (§4.1.1, §4.1.3, §4.1.5; bind_transceiver §4.1.5).</summary>
    /// <exception cref="ArgumentException">A field is too long or not ASCII.</exception>
    public static byte[] EncodeBind(CommandId command, uint sequence, BindRequest bind) =>
        new PduWriter(command, 0, sequence)
            .WriteCString(bind.SystemId, 15)
            .WriteCString(bind.Password, 8)
            .WriteCString(bind.SystemType, 12)
            .WriteByte(BindRequest.InterfaceVersion)
            .WriteByte(0) // addr_ton: unknown
            .WriteByte(0) // addr_npi: unknown
            .WriteCString(string.Empty, 40) // address_range: any
            .ToArray();

    /// <summary>
    /// bind_*_resp (§4.1.2, §4.1.4, §4.1.6): the SMSC's system_id, then an optional sc_interface_version TLV. An error
    /// response may carry no body at all; then the result is empty.
    /// </summary>
    public static string DecodeBindResp(ReadOnlySpan<byte> body)
    {
        if (body.IsEmpty)
        {
            return string.Empty;
        }

        var reader = new PduReader(body);
        return reader.ReadCString(16);
    }

    /// <summary>submit_sm (§4.4.1) or deliver_sm (§4.6.1): both share the same mandatory parameters.</summary>
    /// <exception cref="ArgumentException">A field is too long, or the short message is over 254 octets.</exception>
    public static byte[] EncodeShortMessage(CommandId command, uint sequence, ShortMessagePdu pdu)
    {
        if (pdu.ShortMessage.Length > 254)
        {
            throw new ArgumentException($"short_message of {pdu.ShortMessage.Length} octets; at most 254 (use message_payload)", nameof(pdu));
        }

        var w = new PduWriter(command, 0, sequence)
            .WriteCString(pdu.ServiceType, 5)
            .WriteByte(pdu.SourceTon)
            .WriteByte(pdu.SourceNpi)
            .WriteCString(pdu.SourceAddr, 20)
            .WriteByte(pdu.DestTon)
            .WriteByte(pdu.DestNpi)
            .WriteCString(pdu.DestAddr, 20)
            .WriteByte(pdu.EsmClass)
            .WriteByte(pdu.ProtocolId)
            .WriteByte(pdu.PriorityFlag)
            .WriteCString(null, 16) // schedule_delivery_time: immediate
            .WriteCString(pdu.ValidityPeriod, 16) // validity_period: empty = SMSC default
            .WriteByte(pdu.RegisteredDelivery)
            .WriteByte(0) // replace_if_present_flag
            .WriteByte(pdu.DataCoding)
            .WriteByte(0) // sm_default_msg_id
            .WriteByte((byte)pdu.ShortMessage.Length)
            .WriteBytes(pdu.ShortMessage.Span);
        foreach (var tlv in pdu.Tlvs)
        {
            w.WriteTlv(tlv);
        }

        return w.ToArray();
    }

    /// <summary>
    /// The body of a deliver_sm (§4.6.1) or submit_sm (§4.4.1): mandatory parameters in order, then TLVs (§4.6.1 lists
    /// receipted_message_id, message_state, network_error_code, message_payload among them).
    /// </summary>
    /// <exception cref="SmppProtocolException">A field runs past the end of the body or a string has no NUL.</exception>
    public static ShortMessagePdu DecodeShortMessage(ReadOnlySpan<byte> body)
    {
        var r = new PduReader(body);
        var serviceType = r.ReadCString(6);
        byte sourceTon = r.ReadByte(), sourceNpi = r.ReadByte();
        var source = r.ReadCString(21);
        byte destTon = r.ReadByte(), destNpi = r.ReadByte();
        var dest = r.ReadCString(21);
        byte esmClass = r.ReadByte(), protocolId = r.ReadByte(), priority = r.ReadByte();
        r.ReadCString(17); // schedule_delivery_time
        var validityPeriod = r.ReadCString(17);
        byte registered = r.ReadByte();
        r.ReadByte(); // replace_if_present_flag
        byte dataCoding = r.ReadByte();
        r.ReadByte(); // sm_default_msg_id
        int smLength = r.ReadByte();
        var shortMessage = r.ReadBytes(smLength).ToArray();
        return new ShortMessagePdu
        {
            ServiceType = serviceType,
            SourceTon = sourceTon,
            SourceNpi = sourceNpi,
            SourceAddr = source,
            DestTon = destTon,
            DestNpi = destNpi,
            DestAddr = dest,
            EsmClass = esmClass,
            ProtocolId = protocolId,
            PriorityFlag = priority,
            ValidityPeriod = validityPeriod,
            RegisteredDelivery = registered,
            DataCoding = dataCoding,
            ShortMessage = shortMessage,
            Tlvs = r.ReadTlvs(),
        };
    }

    /// <summary>
    /// submit_sm_resp (§4.4.2): message_id, a C-octet string of up to 65 octets. An error response may have no body
    /// (§4.4.2: "the submit_sm_resp PDU body is not returned" when command_status is not 0); then the result is empty.
    /// </summary>
    /// <exception cref="SmppProtocolException">The string has no NUL.</exception>
    public static string DecodeSubmitSmResp(ReadOnlySpan<byte> body)
    {
        if (body.IsEmpty)
        {
            return string.Empty;
        }

        var reader = new PduReader(body);
        return reader.ReadCString(65);
    }

    /// <summary>deliver_sm_resp (§4.6.2): message_id is unused and set to NULL.</summary>
    public static byte[] EncodeDeliverSmResp(uint sequence, uint status) =>
        new PduWriter(CommandId.DeliverSmResp, status, sequence).WriteCString(null, 0).ToArray();
}
