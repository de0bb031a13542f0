using System.Collections.Concurrent;
using System.Diagnostics;
using System.IO.Pipelines;
using SmsGateway.Transports.Nats.Client.Internal;

namespace SmsGateway.Transports.Nats.Client;

public sealed partial class NatsConnection
{
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly ConcurrentQueue<TaskCompletionSource?> _pongWaiters = new();
    private int _pingsOut;

    /// <summary>Writes one command into the write pipe, under the write lock.</summary>
    /// <typeparam name="TState">State passed to the write action (avoids closures).</typeparam>
    internal delegate void WriteAction<TState>(PipeWriter writer, in TState state);

    /// <summary>
    /// Sends a PING and waits for its PONG (a round trip: everything written before it has reached the server).
    /// </summary>
    /// <returns>The round-trip time.</returns>
    public async ValueTask<TimeSpan> PingAsync(CancellationToken cancellationToken)
    {
        var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var start = Stopwatch.GetTimestamp();
        await WriteAsync(tcs, static (w, in s) => ProtocolWriter.WritePing(w), cancellationToken, pongWaiter: tcs).ConfigureAwait(false);
        await tcs.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        return Stopwatch.GetElapsedTime(start);
    }

    /// <summary>
    /// Serializes <paramref name="write"/> into the current connection's write pipe and flushes it, waiting while the
    /// connection is being re-established and while the pipe is above its pause threshold (backpressure).
    /// </summary>
    internal async ValueTask WriteAsync<TState>(TState state, WriteAction<TState> write, CancellationToken cancellationToken, TaskCompletionSource? pongWaiter = null)
    {
        while (true)
        {
            var conn = _current;
            if (conn is null || _state != NatsConnectionState.Open)
            {
                await WaitForOpenAsync(cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (!_writeLock.Wait(0))
            {
                await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
            }

            try
            {
                if (conn != _current || conn.IsClosed)
                {
                    continue;
                }

                var writer = conn.WritePipe.Writer;
                write(writer, state);
                if (pongWaiter is not null)
                {
                    _pongWaiters.Enqueue(pongWaiter);
                }

                var flush = writer.FlushAsync(CancellationToken.None);
                if (!flush.IsCompletedSuccessfully)
                {
                    await flush.AsTask().WaitAsync(cancellationToken).ConfigureAwait(false);
                }

                return;
            }
            catch (InvalidOperationException) when (conn.IsClosed)
            {
                // the pipe was completed by a concurrent abort: wait for the next connection and retry
            }
            finally
            {
                _writeLock.Release();
            }
        }
    }

    /// <summary>Below this many buffered bytes the send loop yields once before sending, to batch more writes.</summary>
    private const int CoalesceBytes = 16 * 1024;

    private async Task SendLoopAsync(Conn conn)
    {
        var reader = conn.WritePipe.Reader;
        Exception? error = null;
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync(conn.Cts.Token).ConfigureAwait(false);
                if (!result.IsCompleted && result.Buffer.Length < CoalesceBytes)
                {
                    // Woken by a small write (one PUB or ack): yield once so writers queued on the thread pool can add
                    // theirs, then send everything in one syscall instead of one send per message. Nothing is consumed
                    // or marked examined, so TryRead returns at least the same bytes.
                    reader.AdvanceTo(result.Buffer.Start);
                    await Task.Yield();
                    if (!reader.TryRead(out result))
                    {
                        continue;
                    }
                }

                var buffer = result.Buffer;
                foreach (var segment in buffer)
                {
                    await conn.Stream.WriteAsync(segment, conn.Cts.Token).ConfigureAwait(false);
                }

                reader.AdvanceTo(buffer.End);
                if (result.IsCompleted)
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (InvalidOperationException)
        {
            // reader completed by Abort
        }
        catch (Exception ex)
        {
            error = ex;
        }

        if (error is not null)
        {
            OnConnectionLost(conn, error);
        }
    }

    private async Task PingLoopAsync(Conn conn)
    {
        using var timer = new PeriodicTimer(_opts.PingInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(conn.Cts.Token).ConfigureAwait(false))
            {
                if (Interlocked.Increment(ref _pingsOut) > _opts.MaxPingOut)
                {
                    Log.StaleConnection(_logger, _opts.Url, _opts.MaxPingOut);
                    OnConnectionLost(conn, new NatsException("stale connection: no PONG"));
                    return;
                }

                await WriteAsync(0, static (w, in _) => ProtocolWriter.WritePing(w), conn.Cts.Token, pongWaiter: NoWaiter).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
        catch (NatsException)
        {
        }
    }

    private static TaskCompletionSource NoWaiter { get; } = new();

    private void OnPong()
    {
        Interlocked.Exchange(ref _pingsOut, 0);
        if (_pongWaiters.TryDequeue(out var waiter) && waiter is not null && waiter != NoWaiter)
        {
            waiter.TrySetResult();
        }
    }

    private async Task SendPongAsync()
    {
        try
        {
            await WriteAsync(0, static (w, in _) => ProtocolWriter.WritePong(w), _disposeCts.Token).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // connection going away; the server will time us out or we reconnect
        }
    }

    private void FailPongWaiters(Exception error)
    {
        while (_pongWaiters.TryDequeue(out var waiter))
        {
            if (waiter is not null && waiter != NoWaiter)
            {
                waiter.TrySetException(error);
            }
        }
    }
}
