using System.CommandLine;

namespace SmsGateway.Load.SelfTest;

/// <summary>The hidden <c>fake-gateway</c> command: serves the self-test's fake API on a port until Ctrl+C, to try the tool without the real host.</summary>
public static class FakeGatewayCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var port = new Option<int>("--port") { Description = "Loopback port", DefaultValueFactory = _ => 7070 };
        var delay = new Option<int>("--send-delay-ms") { Description = "Extra delay per /send" };
        var cmd = new Command("fake-gateway", "Serve a fake gateway API (self-test stand-in) until Ctrl+C") { port, delay };
        cmd.Hidden = true;
        cmd.SetAction(async (p, ct) =>
        {
            await using var fake = new FakeGateway(new FakeFaults { SendDelayMs = p.GetValue(delay) }, p.GetValue(port));
            Console.WriteLine($"fake gateway on {fake.Url}");
            try { await Task.Delay(Timeout.Infinite, ct).ConfigureAwait(false); } catch (OperationCanceledException) { }
            return 0;
        });
        return cmd;
    }
}
