using System.Text.Json;
using BenchmarkDotNet.Attributes;
using SmsGateway.Billing;
using SmsGateway.Locking;
using SmsGateway.Model;
using SmsGateway.Routing;
using SmsGateway.Segmentation;
using SmsGateway.Serialization;
using SmsGateway.Transport;
using SmsGateway.Transport.InMemory;
using SmsGateway.Validation;

namespace SmsGateway.Bench.Pipeline;

/// <summary>
/// The accept path's stages one by one, each beside the plainest way to do the same job in the same run (the baseline):
/// normalisation vs a digits-only copy, segmenting vs <c>string.Length</c> arithmetic, routing vs one dictionary lookup,
/// serialization vs the reflection-free generated serializer, reserve vs an interlocked subtraction, lock vs
/// <see cref="SemaphoreSlim"/>, in-memory publish vs a channel write, a message id vs <see cref="Guid.CreateVersion7()"/>.
/// One operation = one message.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkDotNet.Configs.BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class StageBenchmarks
{
    private const string Phone = "۰۹۱۲ ۱۲۳-۴۵۶۷";
    private const string Persian = "کد تایید شما: 123456 — لطفا این کد را در اختیار دیگران قرار ندهید";
    private readonly OperatorTable _table = OperatorTable.Default;
    private readonly Dictionary<string, string> _plainRoutes = new() { ["912"] = "MCI" };
    private readonly SemaphoreSlim _semaphore = new(1, 1);
    private readonly System.Threading.Channels.Channel<byte[]> _channel = System.Threading.Channels.Channel.CreateUnbounded<byte[]>();
    private InMemoryBalanceLedger _ledger = null!;
    private InMemoryLockFactory _locks = null!;
    private InMemoryTransport _transport = null!;
    private IMessageSubscription _subscription = null!;
    private SmsMessage _message = null!;
    private byte[] _payload = [];
    private long _balance = long.MaxValue;
    private long _token;

    [GlobalSetup]
    public void Setup()
    {
        _ledger = new InMemoryBalanceLedger();
        _ledger.ChargeAsync("u", long.MaxValue / 2, "c", CancellationToken.None).AsTask().GetAwaiter().GetResult();
        _locks = new InMemoryLockFactory();
        _transport = new InMemoryTransport(new InMemoryTransportOptions { DuplicateWindow = TimeSpan.Zero });
        _subscription = _transport.SubscribeAsync("bench", "g", SubscriptionOptions.Default, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        SendValidator.Validate(new Accept.SendRequest(Phone, Persian, "express", "u"), _table, DateTimeOffset.UtcNow, out var message);
        _message = message!;
        _payload = PipelineJson.Serialize(_message);
    }

    [GlobalCleanup]
    public void Cleanup() => _transport.DisposeAsync().AsTask().GetAwaiter().GetResult();

    [Benchmark(Baseline = true, Description = "baseline: digits-only copy of the number")]
    [BenchmarkCategory("normalise")]
    public string NormaliseBaseline() => string.Concat(Phone.Where(char.IsDigit));

    [Benchmark(Description = "MsisdnNormalizer.TryNormalize")]
    [BenchmarkCategory("normalise")]
    public string Normalise() => MsisdnNormalizer.TryNormalize(Phone, out var e164, out _) ? e164 : string.Empty;

    [Benchmark(Baseline = true, Description = "baseline: parts from string.Length")]
    [BenchmarkCategory("segment")]
    public int SegmentBaseline() => Persian.Length <= 70 ? 1 : (Persian.Length + 66) / 67;

    [Benchmark(Description = "SegmentCalculator.Analyze (GSM-7 scan, then UCS-2)")]
    [BenchmarkCategory("segment")]
    public int Segment() => SegmentCalculator.Analyze(Persian).Segments;

    [Benchmark(Baseline = true, Description = "baseline: one dictionary lookup")]
    [BenchmarkCategory("route")]
    public string? RouteBaseline() => _plainRoutes.GetValueOrDefault(_message.Msisdn.Substring(3, 3));

    [Benchmark(Description = "OperatorTable.Route (longest prefix)")]
    [BenchmarkCategory("route")]
    public string? Route() => _table.Route(_message.Msisdn)?.Name;

    [Benchmark(Baseline = true, Description = "baseline: JsonSerializer round trip (generated metadata)")]
    [BenchmarkCategory("serialize")]
    public SmsMessage? SerializeBaseline() =>
        JsonSerializer.Deserialize(JsonSerializer.SerializeToUtf8Bytes(_message, PipelineJsonContext.Default.SmsMessage), PipelineJsonContext.Default.SmsMessage);

    [Benchmark(Description = "PipelineJson round trip (wire codec)")]
    [BenchmarkCategory("serialize")]
    public SmsMessage Serialize() => PipelineJson.DeserializeMessage(PipelineJson.Serialize(_message));

    [Benchmark(Baseline = true, Description = "baseline: Interlocked subtraction")]
    [BenchmarkCategory("reserve")]
    public long ReserveBaseline() => Interlocked.Add(ref _balance, -_message.Cost);

    [Benchmark(Description = "InMemoryBalanceLedger.ReserveAsync (one message)")]
    [BenchmarkCategory("reserve")]
    public async Task<ReserveOutcome> Reserve() =>
        (await _ledger.ReserveAsync("u", [new Reservation(Guid.CreateVersion7(), 1)], ++_token, CancellationToken.None))[0];

    [Benchmark(Baseline = true, Description = "baseline: SemaphoreSlim wait + release")]
    [BenchmarkCategory("lock")]
    public async Task LockBaseline()
    {
        await _semaphore.WaitAsync();
        _semaphore.Release();
    }

    [Benchmark(Description = "InMemoryLockFactory acquire + release")]
    [BenchmarkCategory("lock")]
    public async Task<long> Lock()
    {
        await using var grant = await _locks.CreateLockAsync("user:u", TimeSpan.FromSeconds(2), TimeSpan.Zero, TimeSpan.Zero, CancellationToken.None);
        return grant.FencingToken;
    }

    [Benchmark(Baseline = true, Description = "baseline: Channel<byte[]> write + read")]
    [BenchmarkCategory("publish")]
    public bool PublishBaseline() => _channel.Writer.TryWrite(_payload) && _channel.Reader.TryRead(out _);

    [Benchmark(Description = "InMemoryTransport publish + take + ack")]
    [BenchmarkCategory("publish")]
    public async Task<bool> Publish()
    {
        await _transport.PublishAsync("bench", new OutgoingMessage("u", _payload), CancellationToken.None);
        if (!_subscription.Deliveries.TryRead(out var delivery))
        {
            return false;
        }

        await delivery.AckAsync(CancellationToken.None);
        return true;
    }

    [Benchmark(Baseline = true, Description = "baseline: Guid.CreateVersion7 (one generator read per id)")]
    [BenchmarkCategory("message id")]
    public Guid MessageIdBaseline() => Guid.CreateVersion7();

    [Benchmark(Description = "MessageIds.New (per-thread buffer of generator bytes)")]
    [BenchmarkCategory("message id")]
    public Guid MessageId() => MessageIds.New();
}
