using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using SmsGateway.Operators.Smpp.Pdu;

namespace SmsGateway.Operators.Smpp.Session;

/// <summary>
/// One TCP connection to the SMSC, bound once (SMPP v3.4 Issue 1.2, §2.2 session states): framing over
/// System.IO.Pipelines, request/response matching by sequence_number, answers to the SMSC's enquire_link / unbind /
/// deliver_sm, and an enquire_link keep-alive that closes a link silent past the dead-link timeout. When the connection
/// ends, <see cref="Completion"/> completes and every request still waiting fails with <see cref="SubmitState.ConnectionLost"/>.
/// </summary>
/// <remarks>Thread-safe: requests may be sent concurrently; writes are serialised by a lock; one read loop.</remarks>
internal sealed class SmppSession : IAsyncDisposable
{
    private readonly SessionContext _context;
    private readonly TcpClient _tcp;
    private readonly PipeReader _reader;
    private readonly PipeWriter _writer;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly ConcurrentDictionary<uint, TaskCompletionSource<PduFrame>> _pending = new();
    private readonly CancellationTokenSource _closed = new();
    private readonly TaskCompletionSource<string> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _sequence;
    private long _lastReadTicks = Environment.TickCount64;
    private Task _readLoop = Task.CompletedTask;
    private Task _keepAlive = Task.CompletedTask;

    private SmppSession(SessionContext context, TcpClient tcp)
    {
        _context = context;
        _tcp = tcp;
        var stream = tcp.GetStream();
        _reader = PipeReader.Create(stream);
        _writer = PipeWriter.Create(stream);
    }

    /// <summary>Completes with the reason once the connection is closed (by either side, a fault or a dead link).</summary>
    public Task<string> Completion => _completion.Task;

    /// <summary>True until the connection closes.</summary>
    public bool IsOpen => !_closed.IsCancellationRequested;

    /// <summary>Connects, binds, and starts the read loop and keep-alive.</summary>
    /// <returns>The bound session and the SMSC's system_id.</returns>
    /// <exception cref="SmppBindException">The SMSC refused the bind (its command_status is in the exception).</exception>
    /// <exception cref="SocketException">The TCP connect failed.</exception>
    /// <exception cref="TimeoutException">No bind response within <c>connect_timeout_ms</c>.</exception>
    public static async Task<(SmppSession Session, string SmscSystemId)> ConnectAsync(SessionContext context, CancellationToken cancellationToken)
    {
        var o = context.Options;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(o.ConnectTimeoutMs);
        var tcp = new TcpClient { NoDelay = true };
        try
        {
            await tcp.ConnectAsync(o.Host, o.Port, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            tcp.Dispose();
            throw new TimeoutException($"TCP connect to {o.Host}:{o.Port} took over {o.ConnectTimeoutMs} ms");
        }
        catch
        {
            tcp.Dispose();
            throw;
        }

        var session = new SmppSession(context, tcp);
        session._readLoop = session.ReadLoopAsync();
        try
        {
            uint seq = session.NextSequence();
            var bind = PduCodec.EncodeBind(context.BindCommand, seq, new BindRequest(o.SystemId, o.Password, o.SystemType));
            var resp = await session.RequestAsync(bind, seq, o.ConnectTimeoutMs, cancellationToken).ConfigureAwait(false)
                ?? throw new TimeoutException($"no bind response within {o.ConnectTimeoutMs} ms");
            if (resp.Header.Status != CommandStatus.Ok)
            {
                throw new SmppBindException(resp.Header.Status);
            }

            session._keepAlive = session.KeepAliveAsync();
            return (session, PduCodec.DecodeBindResp(resp.Body));
        }
        catch
        {
            await session.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Sends one submit_sm and waits for its answer up to <c>response_timeout_ms</c>.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled (the submit may have been written).</exception>
    public async Task<SubmitResponse> SubmitAsync(ShortMessagePdu pdu, CancellationToken cancellationToken)
    {
        if (!IsOpen)
        {
            return new SubmitResponse(SubmitState.NotSent);
        }

        uint seq = NextSequence();
        var bytes = PduCodec.EncodeShortMessage(CommandId.SubmitSm, seq, pdu);
        var tcs = new TaskCompletionSource<PduFrame>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[seq] = tcs;
        try
        {
            switch (await TryWriteAsync(bytes, cancellationToken).ConfigureAwait(false))
            {
                case WriteResult.NotWritten:
                    return new SubmitResponse(SubmitState.NotSent);
                case WriteResult.Failed:
                    return new SubmitResponse(SubmitState.ConnectionLost); // some octets may have left
            }

            PduFrame frame;
            try
            {
                frame = await tcs.Task.WaitAsync(TimeSpan.FromMilliseconds(_context.Options.ResponseTimeoutMs), cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                return new SubmitResponse(SubmitState.TimedOut);
            }
            catch (SmppConnectionLostException)
            {
                return new SubmitResponse(SubmitState.ConnectionLost);
            }

            var status = frame.Header.Status;
            if (status != CommandStatus.Ok || frame.Header.Command != CommandId.SubmitSmResp)
            {
                // a generic_nack without a status would otherwise read as success
                return new SubmitResponse(SubmitState.Responded, status == CommandStatus.Ok ? CommandStatus.SystemError : status);
            }

            try
            {
                return new SubmitResponse(SubmitState.Responded, status, PduCodec.DecodeSubmitSmResp(frame.Body));
            }
            catch (SmppProtocolException ex)
            {
                // the SMSC took the message; only its id is unreadable (receipts for it will not correlate)
                SmppLog.ProtocolError(_context.Logger, ex, _context.OperatorName, _context.BindIndex);
                return new SubmitResponse(SubmitState.Responded, status, null);
            }
        }
        finally
        {
            _pending.TryRemove(seq, out _);
        }
    }

    /// <summary>Sends unbind, waits briefly for unbind_resp (§4.2), then closes.</summary>
    public async Task UnbindAsync()
    {
        if (IsOpen)
        {
            uint seq = NextSequence();
            await RequestAsync(PduCodec.EncodeHeaderOnly(CommandId.Unbind, 0, seq), seq, Math.Min(_context.Options.ResponseTimeoutMs, 2_000), CancellationToken.None).ConfigureAwait(false);
        }

        Close("unbound");
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        Close("disposed");
        await Task.WhenAll(_readLoop, _keepAlive).ConfigureAwait(false);

        // _closed and _writeLock are left to the GC: a submit racing the close may still touch them, and neither holds a timer or handle
    }

    /// <summary>Closes the connection now and fails every waiting request.</summary>
    public void Close(string reason)
    {
        if (!_completion.TrySetResult(reason))
        {
            return;
        }

        _closed.Cancel();
        _tcp.Dispose();
        foreach (var (seq, tcs) in _pending)
        {
            if (_pending.TryRemove(seq, out _))
            {
                tcs.TrySetException(new SmppConnectionLostException(reason));
            }
        }
    }

    private uint NextSequence()
    {
        // sequence_number 1..0x7FFFFFFF (§5.1.4): wraps, skipping 0
        while (true)
        {
            uint s = (uint)Interlocked.Increment(ref _sequence) & 0x7FFFFFFF;
            if (s != 0)
            {
                return s;
            }
        }
    }

    /// <summary>Writes one request and waits for its response; null on timeout or a lost connection.</summary>
    private async Task<PduFrame?> RequestAsync(byte[] pdu, uint seq, int timeoutMs, CancellationToken cancellationToken)
    {
        var tcs = new TaskCompletionSource<PduFrame>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[seq] = tcs;
        try
        {
            if (await TryWriteAsync(pdu, cancellationToken).ConfigureAwait(false) != WriteResult.Written)
            {
                return null;
            }

            return await tcs.Task.WaitAsync(TimeSpan.FromMilliseconds(timeoutMs), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is TimeoutException or SmppConnectionLostException)
        {
            return null;
        }
        finally
        {
            _pending.TryRemove(seq, out _);
        }
    }

    /// <summary>Writes a whole PDU. A started write is never cancelled (it would cut a PDU in two).</summary>
    /// <returns>Written; not written (the connection was already closed); or failed part-way (the connection broke).</returns>
    /// <exception cref="OperationCanceledException">Cancelled while waiting for the write lock (nothing written).</exception>
    private async ValueTask<WriteResult> TryWriteAsync(byte[] pdu, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!IsOpen)
            {
                return WriteResult.NotWritten;
            }

            var result = await _writer.WriteAsync(pdu, CancellationToken.None).ConfigureAwait(false);
            if (result.IsCompleted)
            {
                Close("write side completed");
                return WriteResult.Failed;
            }

            return WriteResult.Written;
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
            Close("write failed: " + ex.GetType().Name);
            return WriteResult.Failed;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private async Task ReadLoopAsync()
    {
        string reason = "closed by the SMSC";
        try
        {
            while (true)
            {
                var read = await _reader.ReadAsync(_closed.Token).ConfigureAwait(false);
                var buffer = read.Buffer;
                while (PduFrame.TryRead(ref buffer, out var frame))
                {
                    Interlocked.Exchange(ref _lastReadTicks, Environment.TickCount64);
                    await OnFrameAsync(frame).ConfigureAwait(false);
                }

                _reader.AdvanceTo(buffer.Start, buffer.End);
                if (read.IsCompleted)
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException)
        {
            reason = "closed";
        }
        catch (SmppProtocolException ex)
        {
            SmppLog.ProtocolError(_context.Logger, ex, _context.OperatorName, _context.BindIndex);
            reason = "protocol error";
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
            reason = "read failed: " + ex.GetType().Name;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            SmppLog.ReadLoopFailed(_context.Logger, ex, _context.OperatorName, _context.BindIndex);
            reason = "read loop failed: " + ex.GetType().Name;
        }

        Close(reason);
        await _reader.CompleteAsync().ConfigureAwait(false);
    }

    private async ValueTask OnFrameAsync(PduFrame frame)
    {
        var h = frame.Header;
        if (h.IsResponse)
        {
            if (_pending.TryRemove(h.Sequence, out var tcs))
            {
                tcs.TrySetResult(frame);
            }

            return;
        }

        switch (h.Command)
        {
            case CommandId.EnquireLink:
                await TryWriteAsync(PduCodec.EncodeHeaderOnly(CommandId.EnquireLinkResp, CommandStatus.Ok, h.Sequence), CancellationToken.None).ConfigureAwait(false);
                break;
            case CommandId.Unbind:
                await TryWriteAsync(PduCodec.EncodeHeaderOnly(CommandId.UnbindResp, CommandStatus.Ok, h.Sequence), CancellationToken.None).ConfigureAwait(false);
                Close("unbind from the SMSC");
                break;
            case CommandId.DeliverSm:
                uint status = await _context.OnDeliverSm(frame.Body, _closed.Token).ConfigureAwait(false);
                await TryWriteAsync(PduCodec.EncodeDeliverSmResp(h.Sequence, status), CancellationToken.None).ConfigureAwait(false);
                break;
            default:
                await TryWriteAsync(PduCodec.EncodeHeaderOnly(CommandId.GenericNack, CommandStatus.InvalidCommandId, h.Sequence), CancellationToken.None).ConfigureAwait(false);
                break;
        }
    }

    /// <summary>Sends enquire_link after <c>enquire_link_interval_ms</c> without any PDU read; closes when none arrives within <c>dead_link_timeout_ms</c> (§4.11).</summary>
    private async Task KeepAliveAsync()
    {
        var o = _context.Options;
        try
        {
            while (IsOpen)
            {
                long idle = Environment.TickCount64 - Interlocked.Read(ref _lastReadTicks);
                if (idle < o.EnquireLinkIntervalMs)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(o.EnquireLinkIntervalMs - idle), _closed.Token).ConfigureAwait(false);
                    continue;
                }

                uint seq = NextSequence();
                var resp = await RequestAsync(PduCodec.EncodeHeaderOnly(CommandId.EnquireLink, 0, seq), seq, o.DeadLinkTimeoutMs, _closed.Token).ConfigureAwait(false);
                if (resp is null && IsOpen)
                {
                    SmppLog.DeadLink(_context.Logger, _context.OperatorName, _context.BindIndex, o.DeadLinkTimeoutMs);
                    Close("dead link");
                }
            }
        }
        catch (OperationCanceledException)
        {
            // closed
        }
    }

    private enum WriteResult
    {
        Written,
        NotWritten,
        Failed,
    }
}
