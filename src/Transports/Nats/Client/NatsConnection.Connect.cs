using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using SmsGateway.Transports.Nats.Client.Internal;

namespace SmsGateway.Transports.Nats.Client;

public sealed partial class NatsConnection
{
    private static readonly string ClientVersion = typeof(NatsConnection).Assembly.GetName().Version?.ToString(3) ?? "1.0.0";

    /// <summary>
    /// TCP connect, INFO, CONNECT (headers + no_responders), PING/PONG, re-SUB of every live subscription, then opens
    /// the connection to writers. https://docs.nats.io/reference/reference-protocols/nats-protocol#connect.
    /// </summary>
    private async Task EstablishAsync(bool isReconnect, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposeCts.Token);
        timeout.CancelAfter(_opts.ConnectTimeout);
        var ct = timeout.Token;

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        Conn? conn = null;
        try
        {
            await socket.ConnectAsync(_host, _port, ct).ConfigureAwait(false);
            var stream = new NetworkStream(socket, ownsSocket: true);
            var reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 64 * 1024, minimumReadSize: 16 * 1024));

            var infoLine = await ReadLineAsync(reader, ct).ConfigureAwait(false);
            if (!infoLine.StartsWith("INFO ", StringComparison.OrdinalIgnoreCase))
            {
                throw new NatsException($"expected INFO, got '{infoLine}'");
            }

            var info = ParseInfo(infoLine.AsSpan(5));
            if (!info.Headers)
            {
                throw new NatsException("the server does not support headers (needs nats-server 2.2+)");
            }

            var connect = JsonSerializer.Serialize(
                new ConnectOptions { Name = _opts.Name, Version = ClientVersion, Echo = _opts.Echo },
                ClientJsonContext.Default.ConnectOptions);
            await stream.WriteAsync(Encoding.UTF8.GetBytes($"CONNECT {connect}\r\nPING\r\n"), ct).ConfigureAwait(false);

            while (true)
            {
                var line = await ReadLineAsync(reader, ct).ConfigureAwait(false);
                if (line.StartsWith("PONG", StringComparison.OrdinalIgnoreCase))
                {
                    break;
                }

                if (line.StartsWith("-ERR", StringComparison.OrdinalIgnoreCase))
                {
                    throw new NatsServerErrorException(line[4..].Trim().Trim('\''));
                }

                if (line.StartsWith("PING", StringComparison.OrdinalIgnoreCase))
                {
                    await stream.WriteAsync("PONG\r\n"u8.ToArray(), ct).ConfigureAwait(false);
                }
                else if (line.StartsWith("INFO ", StringComparison.OrdinalIgnoreCase))
                {
                    info = ParseInfo(line.AsSpan(5));
                }
            }

            _info = info;
            var pipe = new Pipe(new PipeOptions(
                pauseWriterThreshold: _opts.WriterBufferSize,
                resumeWriterThreshold: _opts.WriterBufferSize / 2,
                minimumSegmentSize: 64 * 1024,
                useSynchronizationContext: false));
            conn = new Conn(socket, stream, reader, pipe);
            conn.SendLoop = Task.Run(() => SendLoopAsync(conn), CancellationToken.None);

            foreach (var sub in _subs.Values)
            {
                ProtocolWriter.WriteSub(pipe.Writer, sub.Subject, sub.QueueGroup, sub.Sid);
            }

            await pipe.Writer.FlushAsync(ct).ConfigureAwait(false);

            lock (_stateLock)
            {
                if (_state == NatsConnectionState.Disposed)
                {
                    throw new ObjectDisposedException(nameof(NatsConnection));
                }

                Interlocked.Exchange(ref _pingsOut, 0);
                _current = conn;
                _state = NatsConnectionState.Open;
                _opened.TrySetResult();
            }

            _ = Task.Run(() => ReadLoopAsync(conn), CancellationToken.None);
            _ = Task.Run(() => PingLoopAsync(conn), CancellationToken.None);
        }
        catch
        {
            if (conn is not null)
            {
                conn.Abort();
            }
            else
            {
                socket.Dispose();
            }

            throw;
        }

        if (isReconnect)
        {
            Interlocked.Increment(ref _reconnects);
            Log.Reconnected(_logger, _opts.Url);
            foreach (var sub in _subs.Values)
            {
                sub.OnReconnected();
            }
        }
        else
        {
            Log.Connected(_logger, _opts.Url, _info?.Version ?? "?");
        }
    }

    /// <summary>Marks <paramref name="conn"/> lost and starts the reconnect loop (once per connection).</summary>
    private void OnConnectionLost(Conn conn, Exception? error)
    {
        lock (_stateLock)
        {
            if (_current != conn || _state != NatsConnectionState.Open)
            {
                conn.Abort();
                return;
            }

            _state = NatsConnectionState.Reconnecting;
            _current = null;
            _opened = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        conn.Abort();
        Log.Disconnected(_logger, _opts.Url, error?.Message ?? "closed by server");
        var lost = new NatsException("connection lost", error);
        FailPongWaiters(lost);
        FailRequests(lost); // their replies would go to an inbox the server forgot: fail fast so callers can retry
        foreach (var sub in _subs.Values)
        {
            sub.OnDisconnected();
        }

        _ = Task.Run(ReconnectLoopAsync);
    }

    private async Task ReconnectLoopAsync()
    {
        var attempt = 0;
        while (!_disposeCts.IsCancellationRequested)
        {
            attempt++;
            if (_opts.MaxReconnectRetry >= 0 && attempt > _opts.MaxReconnectRetry)
            {
                GiveUp();
                return;
            }

            var backoff = Math.Min(_opts.ReconnectWaitMax.TotalMilliseconds, _opts.ReconnectWaitMin.TotalMilliseconds * Math.Pow(2, Math.Min(attempt - 1, 20)));
            var wait = backoff + (Random.Shared.NextDouble() * _opts.ReconnectJitter.TotalMilliseconds);
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(wait), _disposeCts.Token).ConfigureAwait(false);
                await EstablishAsync(isReconnect: true, _disposeCts.Token).ConfigureAwait(false);
                return;
            }
            catch (OperationCanceledException) when (_disposeCts.IsCancellationRequested)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (Exception ex)
            {
                Log.ReconnectFailed(_logger, _opts.Url, attempt, ex.Message);
            }
        }
    }

    private void GiveUp()
    {
        lock (_stateLock)
        {
            _state = NatsConnectionState.Disposed;
        }

        var error = new NatsException($"gave up reconnecting to {_opts.Url} after {_opts.MaxReconnectRetry} attempts");
        _opened.TrySetException(error);
        _ = _opened.Task.Exception;
        FailRequests(error);
        foreach (var sub in _subs.Values)
        {
            sub.OnClosed(error);
        }
    }

    private static ServerInfo ParseInfo(ReadOnlySpan<char> json) =>
        JsonSerializer.Deserialize(json, ClientJsonContext.Default.ServerInfo) ?? throw new NatsException("empty INFO");

    private static async ValueTask<string> ReadLineAsync(PipeReader reader, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            var newline = buffer.PositionOf((byte)'\n');
            if (newline is { } pos)
            {
                var line = Encoding.UTF8.GetString(buffer.Slice(0, pos)).TrimEnd('\r');
                reader.AdvanceTo(buffer.GetPosition(1, pos));
                return line;
            }

            if (result.IsCompleted)
            {
                throw new NatsException("connection closed during handshake");
            }

            if (buffer.Length > MaxControlLine)
            {
                throw new NatsException("handshake line too long");
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }
}
