namespace SmsGateway.Operators.Smpp.Pdu;

/// <summary>Optional parameter tags used by the client (SMPP v3.4 Issue 1.2, §5.3.2).</summary>
internal static class TlvTag
{
    /// <summary>sar_msg_ref_num, 2 octets (§5.3.2.22).</summary>
    public const ushort SarMsgRefNum = 0x020C;

    /// <summary>sar_total_segments, 1 octet (§5.3.2.23).</summary>
    public const ushort SarTotalSegments = 0x020E;

    /// <summary>sar_segment_seqnum, 1 octet (§5.3.2.24).</summary>
    public const ushort SarSegmentSeqnum = 0x020F;

    /// <summary>receipted_message_id, C-octet string up to 65 octets (§5.3.2.12).</summary>
    public const ushort ReceiptedMessageId = 0x001E;

    /// <summary>message_payload, up to 64K octets (§5.3.2.32).</summary>
    public const ushort MessagePayload = 0x0424;

    /// <summary>message_state, 1 octet (§5.3.2.35).</summary>
    public const ushort MessageState = 0x0427;

    /// <summary>network_error_code, 3 octets: type, then a 2-octet code (§5.3.2.31).</summary>
    public const ushort NetworkErrorCode = 0x0423;
}
