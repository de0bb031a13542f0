using System.Buffers;
using System.Buffers.Binary;

namespace SmsGateway.Operators.Smpp.Pdu;

/// <summary>One PDU as read off the wire: its header and the body octets after it.</summary>
/// <param name="Header">The 16-octet header.</param>
/// <param name="Body">command_length − 16 octets.</param>
internal readonly record struct PduFrame(PduHeader Header, byte[] Body)
{
    /// <summary>Largest command_length accepted; a longer one means a broken stream (a submit_sm with a 64K payload fits).</summary>
    public const int MaxLength = 70_000;

    /// <summary>
    /// Takes one whole PDU off the front of <paramref name="buffer"/> when it holds one (SMPP v3.4 Issue 1.2, §3.2:
    /// command_length counts the whole PDU).
    /// </summary>
    /// <exception cref="SmppProtocolException">command_length is below 16 or above <see cref="MaxLength"/>.</exception>
    public static bool TryRead(ref ReadOnlySequence<byte> buffer, out PduFrame frame)
    {
        frame = default;
        if (buffer.Length < PduHeader.Size)
        {
            return false;
        }

        Span<byte> head = stackalloc byte[PduHeader.Size];
        buffer.Slice(0, PduHeader.Size).CopyTo(head);
        uint length = BinaryPrimitives.ReadUInt32BigEndian(head);
        if (length < PduHeader.Size || length > MaxLength)
        {
            throw new SmppProtocolException($"command_length {length} outside {PduHeader.Size}..{MaxLength}");
        }

        if (buffer.Length < length)
        {
            return false;
        }

        var header = new PduHeader(
            length,
            (CommandId)BinaryPrimitives.ReadUInt32BigEndian(head[4..]),
            BinaryPrimitives.ReadUInt32BigEndian(head[8..]),
            BinaryPrimitives.ReadUInt32BigEndian(head[12..]));
        var body = buffer.Slice(PduHeader.Size, length - PduHeader.Size).ToArray();
        buffer = buffer.Slice(length);
        frame = new PduFrame(header, body);
        return true;
    }
}
