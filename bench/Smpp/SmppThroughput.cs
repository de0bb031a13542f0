using System.Diagnostics;
using System.Globalization;
using SmsGateway.Dispatch;
using SmsGateway.Model;
using SmsGateway.Operators.Smpp;
using SmsGateway.Testing;

namespace SmsGateway.Bench.Smpp;

/// <summary>
/// Sends per second through one SMPP bind at windows 1, 10 and 50 against the npm <c>smpp</c> SMSC
/// (tests/SmsGateway.Tests.Smpp/smsc, install with .ci/setup.d/smpp.sh), each beside the SMSC's own ceiling: the npm
/// package's client (raw-client.js) with the same window, in the same run against the same SMSC process.
/// <c>dotnet run -c Release --project bench -- smpp [messages] [runs]</c>; prints each run and the medians.
/// </summary>
public static class SmppThroughput
{
    private static readonly int[] Windows = [1, 10, 50];

    public static async Task RunAsync(string[] args)
    {
        int messages = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 5_000;
        int runs = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 3;
        await using var smsc = await SmppSmsc.StartAsync();
        Console.WriteLine($"{messages} submit_sm per run, {runs} runs, one transceiver bind, SMSC answers at once, no receipts");
        foreach (int window in Windows)
        {
            var raw = new List<double>();
            var ours = new List<double>();
            await using var client = (SmppOperatorClient)new SmppConnectionFactory().Create("BENCH", Connection(smsc, window));
            await client.Transmitters[0].WhenBound.WaitAsync(TimeSpan.FromSeconds(10));
            await SendAsync(client, Math.Min(messages, 500), window); // warm-up
            for (int r = 0; r < runs; r++)
            {
                raw.Add(await smsc.RunRawClientAsync(messages, window));
                ours.Add(await SendAsync(client, messages, window));
                Console.WriteLine($"window {window,2} run {r + 1}: npm smpp client {raw[^1],8:N0} msg/s; gateway client {ours[^1],8:N0} msg/s");
            }

            double mr = Median(raw), mo = Median(ours);
            Console.WriteLine($"window {window,2} median: npm smpp client {mr:N0} msg/s; gateway client {mo:N0} msg/s ({mo / mr:P0} of the ceiling)");
        }
    }

    /// <summary>Sends <paramref name="messages"/> with 2 × window sends in flight (the window, not the caller, limits outstanding submits).</summary>
    private static async Task<double> SendAsync(SmppOperatorClient client, int messages, int window)
    {
        int next = -1, failures = 0;
        var sw = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, window * 2).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) < messages)
            {
                var message = new SmsMessage(Guid.CreateVersion7(), "bench", "+989121234567", "bench message", MessageType.Normal, "BENCH", SmsEncoding.Gsm7, 1, 1150, DateTimeOffset.UtcNow);
                var result = await client.SendAsync(message, CancellationToken.None);
                if (result.Outcome != SendOutcome.Accepted)
                {
                    Interlocked.Increment(ref failures);
                }
            }
        });
        await Task.WhenAll(workers);
        double rate = messages / sw.Elapsed.TotalSeconds;
        return failures == 0 ? rate : throw new InvalidOperationException($"{failures} sends failed");
    }

    private static System.Text.Json.JsonElement Connection(SmppSmsc smsc, int window) => System.Text.Json.JsonSerializer.SerializeToElement(new Dictionary<string, object>
    {
        ["type"] = "smpp",
        ["host"] = "127.0.0.1",
        ["port"] = smsc.Port,
        ["system_id"] = smsc.SystemId,
        ["password"] = smsc.Password,
        ["source_addr"] = "3000",
        ["binds"] = 1,
        ["window"] = window,
    });

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }
}
