using System.Buffers;
using System.Text;

namespace SmsGateway.Transports.Nats.Client.Internal;

/// <summary>
/// Writes client protocol commands (https://docs.nats.io/reference/reference-protocols/nats-protocol) into a buffer writer.
/// </summary>
internal static class ProtocolWriter
{
    private static ReadOnlySpan<byte> CrLf => "\r\n"u8;

    private static ReadOnlySpan<byte> HeaderVersion => "NATS/1.0\r\n"u8;

    /// <summary>Size in bytes of the serialized header block (version line, entries, blank line).</summary>
    public static int HeaderSize(NatsHeaders headers)
    {
        var size = HeaderVersion.Length + 2;
        foreach (var (k, v) in headers)
        {
            size += Encoding.UTF8.GetByteCount(k) + 2 + Encoding.UTF8.GetByteCount(v) + 2;
        }

        return size;
    }

    /// <summary>PUB / HPUB: https://docs.nats.io/reference/reference-protocols/nats-protocol#pub and #hpub.</summary>
    public static void WritePublish(IBufferWriter<byte> writer, string subject, in ReplyTo replyTo, NatsHeaders? headers, ReadOnlySpan<byte> payload)
    {
        if (headers is null)
        {
            WriteAscii(writer, "PUB ");
            WriteAscii(writer, subject);
            WriteSpace(writer);
            replyTo.Write(writer);

            WriteNumber(writer, payload.Length);
            writer.Write(CrLf);
        }
        else
        {
            var headerSize = HeaderSize(headers);
            WriteAscii(writer, "HPUB ");
            WriteAscii(writer, subject);
            WriteSpace(writer);
            replyTo.Write(writer);

            WriteNumber(writer, headerSize);
            WriteSpace(writer);
            WriteNumber(writer, headerSize + payload.Length);
            writer.Write(CrLf);
            writer.Write(HeaderVersion);
            foreach (var (k, v) in headers)
            {
                WriteUtf8(writer, k);
                writer.Write(": "u8);
                WriteUtf8(writer, v);
                writer.Write(CrLf);
            }

            writer.Write(CrLf);
        }

        writer.Write(payload);
        writer.Write(CrLf);
    }

    /// <summary>
    /// The reply subject of a PUB/HPUB: none, a string, or (requests on the shared inbox) the inbox prefix bytes plus a
    /// request id, so a request needs no reply-subject string.
    /// </summary>
    public readonly struct ReplyTo
    {
        private readonly string? _text;
        private readonly byte[]? _prefix;
        private readonly long _id;

        /// <summary>A reply subject given as text, or none when null.</summary>
        public ReplyTo(string? text) => _text = text;

        /// <summary>A reply subject <c>&lt;prefix&gt;&lt;id&gt;</c>.</summary>
        public ReplyTo(byte[] prefix, long id)
        {
            _prefix = prefix;
            _id = id;
        }

        /// <summary>Writes the subject and a space, or nothing.</summary>
        public void Write(IBufferWriter<byte> writer)
        {
            if (_text is not null)
            {
                WriteAscii(writer, _text);
                WriteSpace(writer);
            }
            else if (_prefix is not null)
            {
                writer.Write(_prefix);
                WriteNumber(writer, _id);
                WriteSpace(writer);
            }
        }
    }

    /// <summary>SUB: https://docs.nats.io/reference/reference-protocols/nats-protocol#sub.</summary>
    public static void WriteSub(IBufferWriter<byte> writer, string subject, string? queueGroup, long sid)
    {
        WriteAscii(writer, "SUB ");
        WriteAscii(writer, subject);
        WriteSpace(writer);
        if (queueGroup is not null)
        {
            WriteAscii(writer, queueGroup);
            WriteSpace(writer);
        }

        WriteNumber(writer, sid);
        writer.Write(CrLf);
    }

    /// <summary>UNSUB: https://docs.nats.io/reference/reference-protocols/nats-protocol#unsub.</summary>
    public static void WriteUnsub(IBufferWriter<byte> writer, long sid)
    {
        WriteAscii(writer, "UNSUB ");
        WriteNumber(writer, sid);
        writer.Write(CrLf);
    }

    /// <summary>PING.</summary>
    public static void WritePing(IBufferWriter<byte> writer) => writer.Write("PING\r\n"u8);

    /// <summary>PONG.</summary>
    public static void WritePong(IBufferWriter<byte> writer) => writer.Write("PONG\r\n"u8);

    private static void WriteSpace(IBufferWriter<byte> writer) => writer.Write(" "u8);

    private static void WriteAscii(IBufferWriter<byte> writer, string text)
    {
        var span = writer.GetSpan(text.Length);
        var n = Encoding.ASCII.GetBytes(text, span);
        writer.Advance(n);
    }

    private static void WriteUtf8(IBufferWriter<byte> writer, string text)
    {
        var span = writer.GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length));
        writer.Advance(Encoding.UTF8.GetBytes(text, span));
    }

    private static void WriteNumber(IBufferWriter<byte> writer, long value)
    {
        var span = writer.GetSpan(20);
        value.TryFormat(span, out var written, default, System.Globalization.CultureInfo.InvariantCulture);
        writer.Advance(written);
    }
}
