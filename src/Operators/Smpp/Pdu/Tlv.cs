namespace SmsGateway.Operators.Smpp.Pdu;

/// <summary>An optional parameter (TLV, SMPP v3.4 Issue 1.2, §3.2.4 and §5.3): 2-octet tag, 2-octet length, value.</summary>
/// <param name="Tag">Parameter tag (see <see cref="TlvTag"/>).</param>
/// <param name="Value">Value octets.</param>
internal readonly record struct Tlv(ushort Tag, ReadOnlyMemory<byte> Value)
{
    /// <summary>A 1-octet TLV.</summary>
    public static Tlv Byte(ushort tag, byte value) => new(tag, new[] { value });

    /// <summary>A 2-octet big-endian TLV.</summary>
    public static Tlv UInt16(ushort tag, ushort value) => new(tag, new[] { (byte)(value >> 8), (byte)value });
}
