using BenchmarkDotNet.Attributes;
using SmsGateway.Model;
using SmsGateway.Routing;
using SmsGateway.Serialization;
using SmsGateway.Validation;

namespace SmsGateway.Bench.Pipeline;

/// <summary>
/// Decoding a version-2 message frame and a version-2 status batch (docs/architecture.md, "Message frames" and "Status
/// events on the wire"), each beside decoding the same messages or events from their own version-1 payloads: what a frame
/// costs beyond its members. One operation = <see cref="Members"/> members (a frame of the default size).
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkDotNet.Configs.BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class FrameDecodeBenchmarks
{
    private const int Members = 100;
    private byte[][] _messages = [];
    private byte[][] _events = [];
    private byte[] _frame = [];
    private byte[] _batch = [];

    [GlobalSetup]
    public void Setup()
    {
        var now = DateTimeOffset.UtcNow;
        _messages = new byte[Members][];
        _events = new byte[Members][];
        for (int i = 0; i < Members; i++)
        {
            SendValidator.Validate(new Accept.SendRequest($"0912{i:D7}", "کد تایید شما: 123456", "normal", "u"), OperatorTable.Default, now, out var message);
            _messages[i] = PipelineJson.Serialize(message!);
            _events[i] = PipelineJson.Serialize(StatusEvent.For(message!, MessageStatus.Sent, now));
        }

        _frame = MessageFrameJson.Write(_messages);
        _batch = StatusBatchJson.Write(_events.SelectMany((e, i) => i == 0 ? e : [(byte)',', .. e]).ToArray(), new string?[Members]);
    }

    [Benchmark(Baseline = true, Description = "baseline: each message from its own version-1 payload")]
    [BenchmarkCategory("message frame")]
    public int MessagesAlone()
    {
        int n = 0;
        foreach (var payload in _messages)
        {
            n += PipelineJson.DeserializeMessage(payload).Segments;
        }

        return n;
    }

    [Benchmark(Description = "MessageFrameJson.Read (one frame)")]
    [BenchmarkCategory("message frame")]
    public int Frame() => MessageFrameJson.Read(_frame).Length;

    [Benchmark(Baseline = true, Description = "baseline: each event from its own version-1 payload")]
    [BenchmarkCategory("status batch")]
    public int EventsAlone()
    {
        int n = 0;
        foreach (var payload in _events)
        {
            n += PipelineJson.DeserializeStatus(payload).Attempt;
        }

        return n;
    }

    [Benchmark(Description = "StatusBatchJson.Read (one batch)")]
    [BenchmarkCategory("status batch")]
    public int Batch() => StatusBatchJson.Read(_batch).Events.Count;
}
