using System.Text.Json;
using SmsGateway.Model;
using SmsGateway.Operators.Smpp;
using SmsGateway.Segmentation;

namespace SmsGateway.Tests.Smpp;

/// <summary>Messages, connection objects and clients for the tests.</summary>
internal static class TestMessages
{
    public static SmsMessage Message(string text, string msisdn = "+989121234567", int attempt = 1, Guid? id = null)
    {
        var info = SegmentCalculator.Analyze(text);
        return new SmsMessage(id ?? Guid.CreateVersion7(), "user-1", msisdn, text, MessageType.Normal, "MCI", info.Encoding, info.Segments, 1150L * info.Segments, DateTimeOffset.UtcNow, attempt);
    }

    /// <summary>A connection object for <paramref name="smsc"/> with <paramref name="extra"/> keys merged in.</summary>
    public static JsonElement Connection(SmppSmsc smsc, object? extra = null)
    {
        var dict = new Dictionary<string, object?>
        {
            ["type"] = "smpp",
            ["host"] = "127.0.0.1",
            ["port"] = smsc.Port,
            ["system_id"] = smsc.SystemId,
            ["password"] = smsc.Password,
            ["source_addr"] = "3000123",
            ["window"] = 10,
            ["response_timeout_ms"] = 3000,
            ["reconnect_min_ms"] = 50,
            ["reconnect_max_ms"] = 500,
            ["throttle_backoff_ms"] = 20,
            ["throttle_backoff_max_ms"] = 200,
        };
        if (extra is not null)
        {
            foreach (var p in JsonSerializer.SerializeToElement(extra).EnumerateObject())
            {
                dict[p.Name] = p.Value;
            }
        }

        return JsonSerializer.SerializeToElement(dict);
    }

    public static JsonElement Json(string json) => JsonDocument.Parse(json).RootElement.Clone();

    /// <summary>Creates a client and waits until every bind is bound.</summary>
    public static async Task<SmppOperatorClient> BoundClientAsync(SmppSmsc smsc, RecordingSink? sink = null, object? extra = null)
    {
        var client = (SmppOperatorClient)new SmppConnectionFactory(sink).Create("MCI", Connection(smsc, extra));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        foreach (var bind in client.Transmitters.Concat(client.Receivers))
        {
            await bind.WhenBound.WaitAsync(cts.Token);
        }

        return client;
    }

    /// <summary>Polls the SMSC state until <paramref name="condition"/> holds (10 s at most).</summary>
    public static async Task<JsonElement> WaitForStateAsync(SmppSmsc smsc, Func<JsonElement, bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var state = await smsc.StateAsync();
            if (condition(state) || DateTime.UtcNow > deadline)
            {
                return state;
            }

            await Task.Delay(20);
        }
    }
}
