using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace SmsGateway.Operators.Smpp.Pdu;

/// <summary>
/// Builds one PDU: header, then mandatory parameters, then TLVs; <see cref="ToArray"/> fills in command_length
/// (SMPP v3.4 Issue 1.2, §3.2 for the layout, §3.1 for the C-octet string and integer types).
/// </summary>
/// <remarks>Not thread-safe: one writer per PDU.</remarks>
internal sealed class PduWriter
{
    private readonly ArrayBufferWriter<byte> _buffer = new(64);

    /// <summary>Starts a PDU with its header (command_length is written by <see cref="ToArray"/>).</summary>
    public PduWriter(CommandId command, uint status, uint sequence)
    {
        WriteUInt32(0);
        WriteUInt32((uint)command);
        WriteUInt32(status);
        WriteUInt32(sequence);
    }

    /// <summary>Appends one octet.</summary>
    public PduWriter WriteByte(byte value)
    {
        _buffer.GetSpan(1)[0] = value;
        _buffer.Advance(1);
        return this;
    }

    /// <summary>Appends a big-endian 32-bit integer.</summary>
    public PduWriter WriteUInt32(uint value)
    {
        BinaryPrimitives.WriteUInt32BigEndian(_buffer.GetSpan(4), value);
        _buffer.Advance(4);
        return this;
    }

    /// <summary>Appends a C-octet string: ASCII octets then a NUL (§3.1). Null or empty writes the NUL alone.</summary>
    /// <exception cref="ArgumentException">The value is longer than <paramref name="maxLength"/> octets (NUL excluded) or not ASCII.</exception>
    public PduWriter WriteCString(string? value, int maxLength)
    {
        value ??= string.Empty;
        if (value.Length > maxLength || !Ascii.IsValid(value))
        {
            throw new ArgumentException($"'{value}' is not an ASCII string of at most {maxLength} characters", nameof(value));
        }

        var span = _buffer.GetSpan(value.Length + 1);
        Encoding.ASCII.GetBytes(value, span);
        span[value.Length] = 0;
        _buffer.Advance(value.Length + 1);
        return this;
    }

    /// <summary>Appends raw octets.</summary>
    public PduWriter WriteBytes(ReadOnlySpan<byte> value)
    {
        _buffer.Write(value);
        return this;
    }

    /// <summary>Appends a TLV (§3.2.4.1).</summary>
    public PduWriter WriteTlv(Tlv tlv)
    {
        var span = _buffer.GetSpan(4);
        BinaryPrimitives.WriteUInt16BigEndian(span, tlv.Tag);
        BinaryPrimitives.WriteUInt16BigEndian(span[2..], checked((ushort)tlv.Value.Length));
        _buffer.Advance(4);
        _buffer.Write(tlv.Value.Span);
        return this;
    }

    /// <summary>The finished PDU with command_length set.</summary>
    public byte[] ToArray()
    {
        var pdu = _buffer.WrittenSpan.ToArray();
        BinaryPrimitives.WriteUInt32BigEndian(pdu, (uint)pdu.Length);
        return pdu;
    }
}
