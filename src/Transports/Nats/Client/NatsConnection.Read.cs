using SmsGateway.Transports.Nats.Client.Internal;
using System.Buffers;
using System.Buffers.Text;
using System.Text;

namespace SmsGateway.Transports.Nats.Client;

public sealed partial class NatsConnection
{
    private const int MaxControlLine = 64 * 1024;

    private async Task ReadLoopAsync(Conn conn)
    {
        Exception? error = null;
        var reader = conn.Reader;
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync(conn.Cts.Token).ConfigureAwait(false);
                var buffer = result.Buffer;
                while (TryParseCommand(conn, ref buffer))
                {
                }

                if (buffer.Length > MaxControlLine && buffer.PositionOf((byte)'\n') is null)
                {
                    throw new NatsException("protocol error: control line too long");
                }

                reader.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted)
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception ex)
        {
            error = ex;
        }
        finally
        {
            await reader.CompleteAsync().ConfigureAwait(false);
        }

        OnConnectionLost(conn, error);
    }

    /// <summary>
    /// Parses one server command from <paramref name="buffer"/> and advances it; false when more bytes are needed.
    /// https://docs.nats.io/reference/reference-protocols/nats-protocol (INFO, MSG, HMSG, PING, PONG, +OK, -ERR).
    /// </summary>
    private bool TryParseCommand(Conn conn, ref ReadOnlySequence<byte> buffer)
    {
        var reader = new SequenceReader<byte>(buffer);
        if (!reader.TryReadTo(out ReadOnlySequence<byte> lineSeq, "\r\n"u8, advancePastDelimiter: true))
        {
            return false;
        }

        var line = lineSeq.IsSingleSegment ? lineSeq.FirstSpan : lineSeq.ToArray();
        if (line.Length >= 4 && (line[0] | 0x20) == 'm' && line.StartsWith("MSG "u8))
        {
            // MSG <subject> <sid> [reply-to] <#bytes>
            Span<Range> t = stackalloc Range[5];
            var n = Tokenize(line[4..], t);
            if (n is < 3 or > 4)
            {
                throw new NatsException($"protocol error: bad MSG line '{Encoding.ASCII.GetString(line)}'");
            }

            var args = line[4..];
            var size = ParseLong(args[t[n - 1]]);
            if (reader.Remaining < size + 2)
            {
                return false;
            }

            var sid = ParseLong(args[t[1]]);
            var data = reader.UnreadSequence.Slice(0, size).ToArray();
            reader.Advance(size + 2);
            var subject = Encoding.ASCII.GetString(args[t[0]]);
            var replyTo = n == 4 ? Encoding.ASCII.GetString(args[t[2]]) : null;
            Deliver(sid, new NatsMsg(subject, replyTo, null, data, this));
        }
        else if (line.Length >= 5 && line.StartsWith("HMSG "u8))
        {
            // HMSG <subject> <sid> [reply-to] <#header bytes> <#total bytes>
            Span<Range> t = stackalloc Range[6];
            var args = line[5..];
            var n = Tokenize(args, t);
            if (n is < 4 or > 5)
            {
                throw new NatsException($"protocol error: bad HMSG line '{Encoding.ASCII.GetString(line)}'");
            }

            var headerSize = ParseLong(args[t[n - 2]]);
            var total = ParseLong(args[t[n - 1]]);
            if (reader.Remaining < total + 2)
            {
                return false;
            }

            var sid = ParseLong(args[t[1]]);
            var unread = reader.UnreadSequence;
            var headerBlock = unread.Slice(0, headerSize);
            var headers = ParseHeaders(headerBlock.IsSingleSegment ? headerBlock.FirstSpan : headerBlock.ToArray());
            var data = unread.Slice(headerSize, total - headerSize).ToArray();
            reader.Advance(total + 2);
            var subject = Encoding.ASCII.GetString(args[t[0]]);
            var replyTo = n == 5 ? Encoding.ASCII.GetString(args[t[2]]) : null;
            Deliver(sid, new NatsMsg(subject, replyTo, headers, data, this));
        }
        else if (line.StartsWith("PING"u8))
        {
            _ = SendPongAsync();
        }
        else if (line.StartsWith("PONG"u8))
        {
            OnPong();
        }
        else if (line.StartsWith("+OK"u8))
        {
            // verbose mode is off; ignore
        }
        else if (line.StartsWith("-ERR"u8))
        {
            var text = Encoding.UTF8.GetString(line[4..]).Trim().Trim('\'');
            LastError = text;
            Log.ServerError(_logger, text);

            // Most errors are followed by the server closing the socket; the read loop then reconnects.
        }
        else if (line.StartsWith("INFO "u8))
        {
            _info = ParseInfo(Encoding.UTF8.GetString(line[5..]));
        }
        else
        {
            throw new NatsException($"protocol error: unknown command '{Encoding.ASCII.GetString(line)}'");
        }

        buffer = buffer.Slice(reader.Position);
        return true;
    }

    private void Deliver(long sid, in NatsMsg msg)
    {
        if (_subs.TryGetValue(sid, out var sub))
        {
            try
            {
                sub.OnMessage(msg);
            }
            catch (Exception ex)
            {
                Log.HandlerFailed(_logger, sub.Subject, ex);
            }
        }
    }

    /// <summary>Parses a NATS/1.0 header block (version line with optional status, <c>Key: Value</c> lines, blank line).</summary>
    internal static NatsHeaders ParseHeaders(ReadOnlySpan<byte> block)
    {
        var headers = new NatsHeaders();
        var eol = block.IndexOf("\r\n"u8);
        if (eol < 0)
        {
            throw new NatsException("protocol error: header block without version line");
        }

        var version = block[..eol];
        if (!version.StartsWith("NATS/1.0"u8))
        {
            throw new NatsException("protocol error: header block does not start with NATS/1.0");
        }

        var status = version[8..].Trim((byte)' ');
        if (status.Length >= 3 && Utf8Parser.TryParse(status[..3], out int code, out _))
        {
            headers.Code = code;
            headers.Message = Encoding.UTF8.GetString(status[3..].Trim((byte)' '));
        }

        var rest = block[(eol + 2)..];
        while (rest.Length > 0)
        {
            eol = rest.IndexOf("\r\n"u8);
            var entry = eol < 0 ? rest : rest[..eol];
            rest = eol < 0 ? default : rest[(eol + 2)..];
            if (entry.IsEmpty)
            {
                continue;
            }

            var colon = entry.IndexOf((byte)':');
            if (colon <= 0)
            {
                continue;
            }

            var key = Encoding.UTF8.GetString(entry[..colon].Trim((byte)' '));
            var value = Encoding.UTF8.GetString(entry[(colon + 1)..].Trim((byte)' '));
            headers.TryAdd(key, value);
        }

        return headers;
    }

    private static int Tokenize(ReadOnlySpan<byte> args, Span<Range> tokens)
    {
        var count = 0;
        var i = 0;
        while (i < args.Length)
        {
            while (i < args.Length && (args[i] == ' ' || args[i] == '\t'))
            {
                i++;
            }

            if (i >= args.Length)
            {
                break;
            }

            var start = i;
            while (i < args.Length && args[i] != ' ' && args[i] != '\t')
            {
                i++;
            }

            if (count == tokens.Length)
            {
                return count + 1; // too many: caller rejects
            }

            tokens[count++] = new Range(start, i);
        }

        return count;
    }

    private static long ParseLong(ReadOnlySpan<byte> text)
    {
        if (!Utf8Parser.TryParse(text, out long value, out var consumed) || consumed != text.Length || value < 0)
        {
            throw new NatsException($"protocol error: bad number '{Encoding.ASCII.GetString(text)}'");
        }

        return value;
    }
}
