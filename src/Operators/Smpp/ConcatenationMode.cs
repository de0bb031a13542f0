namespace SmsGateway.Operators.Smpp;

/// <summary>How a message longer than one SMS reaches the SMSC.</summary>
public enum ConcatenationMode
{
    /// <summary><c>udh8</c>: one submit_sm per part, each short_message starting with a UDH, IEI 0x00 with an 8-bit reference (3GPP TS 23.040 §9.2.3.24.1).</summary>
    Udh8 = 0,

    /// <summary><c>udh16</c>: as <see cref="Udh8"/> with IEI 0x08 and a 16-bit reference (TS 23.040 §9.2.3.24.8); one octet less per part.</summary>
    Udh16 = 1,

    /// <summary><c>sar</c>: one submit_sm per part, with sar_msg_ref_num / sar_total_segments / sar_segment_seqnum TLVs (SMPP 3.4 §5.3.2.22-24).</summary>
    Sar = 2,

    /// <summary><c>payload</c>: one submit_sm with the whole text in message_payload (SMPP 3.4 §5.3.2.32); the SMSC splits it.</summary>
    Payload = 3,
}
