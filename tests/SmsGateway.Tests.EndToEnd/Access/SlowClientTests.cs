using System.Net.Sockets;
using System.Text;
using SmsGateway.Testing;

namespace SmsGateway.Tests.EndToEnd.Access;

/// <summary>Kestrel's minimum body data rate, on a real socket: a client that sends its body too slowly gets 408, never 500.</summary>
public sealed class SlowClientTests
{
    [Fact(Timeout = 60_000)]
    public async Task A_body_sent_too_slowly_is_408()
    {
        var port = FreePort.Next();
        using var factory = new SecuredGatewayFactory();
        foreach (var i in new[] { 0, 1, 2 })
        {
            factory.Settings[$"Gateway:Ports:{i}"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        factory.Settings["Gateway:BindAddress"] = "127.0.0.1";
        factory.Settings["Auth:Abuse:MinBodyRateGraceMs"] = "1500";
        factory.Settings["Auth:Abuse:MinBodyBytesPerSecond"] = "100";
        factory.UseKestrel();
        factory.StartServer();

        using var socket = new TcpClient();
        await socket.ConnectAsync("127.0.0.1", port);
        var stream = socket.GetStream();
        var head = $"POST /send HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {SecuredGatewayFactory.AdminKey}\r\n" +
                   "Content-Type: application/json\r\nContent-Length: 2000\r\n\r\n{\"phone\":";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
        var answer = new StringBuilder();
        var buffer = new byte[4096];
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline && !answer.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
        {
            try
            {
                await stream.WriteAsync("0"u8.ToArray());
            }
            catch (IOException)
            {
                // The server closed the connection after answering.
            }

            var read = stream.DataAvailable ? await stream.ReadAsync(buffer) : 0;
            answer.Append(Encoding.ASCII.GetString(buffer, 0, read));
            await Task.Delay(500);
        }

        Assert.StartsWith("HTTP/1.1 408", answer.ToString(), StringComparison.Ordinal);
    }
}
