using System.Net;
using System.Net.Sockets;

namespace SmsGateway.Testing;

/// <summary>Free TCP ports on the loopback interface.</summary>
public static class FreePort
{
    private static readonly HashSet<int> Given = [];
    private static readonly Lock Gate = new();

    /// <summary>
    /// A port that was free a moment ago and that this process has not been given before (the OS may hand the same
    /// ephemeral port out again once its listener is closed; the crash suite saw two Redis nodes get one port). A race
    /// with other processes is possible but rare. Thread-safe.
    /// </summary>
    public static int Next()
    {
        lock (Gate)
        {
            while (true)
            {
                using var listener = new TcpListener(IPAddress.Loopback, 0);
                listener.Start();
                var port = ((IPEndPoint)listener.LocalEndpoint).Port;
                if (Given.Add(port))
                {
                    return port;
                }
            }
        }
    }
}
