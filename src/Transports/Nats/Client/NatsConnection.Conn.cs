using System.IO.Pipelines;
using System.Net.Sockets;

namespace SmsGateway.Transports.Nats.Client;

public sealed partial class NatsConnection
{
    /// <summary>One established TCP connection: socket, read pipe, write pipe and its loops.</summary>
    private sealed class Conn
    {
        private int _closed;

        public Conn(Socket socket, NetworkStream stream, PipeReader reader, Pipe writePipe)
        {
            Socket = socket;
            Stream = stream;
            Reader = reader;
            WritePipe = writePipe;
        }

        public Socket Socket { get; }

        public NetworkStream Stream { get; }

        public PipeReader Reader { get; }

        public Pipe WritePipe { get; }

        public CancellationTokenSource Cts { get; } = new();

        public Task SendLoop { get; set; } = Task.CompletedTask;

        public bool IsClosed => Volatile.Read(ref _closed) != 0;

        /// <summary>Closes at once (connection lost).</summary>
        public void Abort()
        {
            if (Interlocked.Exchange(ref _closed, 1) != 0)
            {
                return;
            }

            try
            {
                Cts.Cancel();
            }
            catch (ObjectDisposedException)
            {
            }

            WritePipe.Writer.Complete();
            WritePipe.Reader.Complete();
            Socket.Dispose();
        }

        /// <summary>Lets the send loop flush what is buffered, then closes.</summary>
        public async Task DrainAndCloseAsync(TimeSpan timeout)
        {
            try
            {
                WritePipe.Writer.Complete();
                await SendLoop.WaitAsync(timeout).ConfigureAwait(false);
            }
            catch (Exception)
            {
                // closing anyway
            }

            Abort();
        }
    }
}
