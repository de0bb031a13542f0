using System.Buffers.Binary;
using System.Text;

namespace SmsGateway.Operators.Smpp.Pdu;

/// <summary>Reads the body of one PDU (the octets after the 16-octet header) field by field.</summary>
/// <remarks>A ref struct over the body; any read past the end throws <see cref="SmppProtocolException"/>.</remarks>
internal ref struct PduReader(ReadOnlySpan<byte> body)
{
    private readonly ReadOnlySpan<byte> _body = body;
    private int _offset;

    /// <summary>Octets not read yet.</summary>
    public readonly int Remaining => _body.Length - _offset;

    /// <summary>Reads one octet.</summary>
    /// <exception cref="SmppProtocolException">The body ended.</exception>
    public byte ReadByte()
    {
        Need(1);
        return _body[_offset++];
    }

    /// <summary>Reads a C-octet string (§3.1): octets up to a NUL of at most <paramref name="maxLength"/> octets, NUL included.</summary>
    /// <exception cref="SmppProtocolException">No NUL within <paramref name="maxLength"/> octets or before the end of the body.</exception>
    public string ReadCString(int maxLength)
    {
        var rest = _body[_offset..];
        int nul = rest[..Math.Min(rest.Length, maxLength)].IndexOf((byte)0);
        if (nul < 0)
        {
            throw new SmppProtocolException($"C-octet string without NUL within {maxLength} octets at offset {_offset}");
        }

        var value = Encoding.Latin1.GetString(rest[..nul]);
        _offset += nul + 1;
        return value;
    }

    /// <summary>Reads <paramref name="length"/> octets.</summary>
    /// <exception cref="SmppProtocolException">The body ended.</exception>
    public ReadOnlySpan<byte> ReadBytes(int length)
    {
        Need(length);
        var value = _body.Slice(_offset, length);
        _offset += length;
        return value;
    }

    /// <summary>Reads the TLVs that fill the rest of the body (§3.2.4.1).</summary>
    /// <exception cref="SmppProtocolException">A TLV runs past the end of the body.</exception>
    public List<Tlv> ReadTlvs()
    {
        var tlvs = new List<Tlv>();
        while (Remaining > 0)
        {
            Need(4);
            ushort tag = BinaryPrimitives.ReadUInt16BigEndian(_body[_offset..]);
            int length = BinaryPrimitives.ReadUInt16BigEndian(_body[(_offset + 2)..]);
            _offset += 4;
            tlvs.Add(new Tlv(tag, ReadBytes(length).ToArray()));
        }

        return tlvs;
    }

    private readonly void Need(int count)
    {
        if (Remaining < count)
        {
            throw new SmppProtocolException($"PDU body ends at offset {_body.Length}; {count} more octets expected at {_offset}");
        }
    }
}
