namespace SmsGateway.Operators.Smpp.Pdu;

/// <summary>The 16-octet PDU header (SMPP v3.4 Issue 1.2, §3.2): four big-endian 32-bit integers.</summary>
/// <param name="Length">command_length: octets of the whole PDU, header included.</param>
/// <param name="Command">command_id.</param>
/// <param name="Status">command_status (0 in requests).</param>
/// <param name="Sequence">sequence_number, 1..0x7FFFFFFF, echoed by the response.</param>
internal readonly record struct PduHeader(uint Length, CommandId Command, uint Status, uint Sequence)
{
    /// <summary>Octets in the header.</summary>
    public const int Size = 16;

    /// <summary>True for a response (bit 31 of command_id).</summary>
    public bool IsResponse => ((uint)Command & 0x80000000u) != 0;
}
