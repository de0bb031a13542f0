using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using SmsGateway.Accept;
using SmsGateway.Billing;
using SmsGateway.Diagnostics;
using SmsGateway.Dispatch;
using SmsGateway.Model;
using SmsGateway.Transport;

namespace SmsGateway.Tests.Unit;

/// <summary>
/// The pipeline's spans and their parent chain through the transport headers, and the retry series, on the in-memory
/// transport. The listeners are process-wide, so every assertion picks its own message's trace.
/// </summary>
public sealed class PipelineTracingTests
{
    // With a queued-event delay (the default) the message's queued event is implied by its sent event and never published.
    [Theory(Timeout = 30_000)]
    [InlineData(0)]
    [InlineData(250)]
    public async Task Spans_of_one_message_form_one_trace_from_accept_to_status_write(int queuedEventDelayMs)
    {
        var spans = new ConcurrentQueue<Activity>();
        using var listener = Listen(spans);
        var ledger = new InMemoryBalanceLedger();
        var options = new PipelineOptions { QueuedEventDelay = TimeSpan.FromMilliseconds(queuedEventDelayMs) };
        await using var pipeline = new SmsPipelineBuilder().WithOptions(options).WithLedger(ledger).Build();
        var final = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        pipeline.StatusPublished += e => { if (e.Status == MessageStatus.Sent) final.TrySetResult(); };
        await pipeline.StartAsync(PipelineRoles.All, CancellationToken.None);
        await ledger.ChargeAsync("trace-u1", 100_000, "c1", CancellationToken.None);

        var result = await pipeline.SendAsync(new SendRequest("09121234567", "hello", "express", "trace-u1"), CancellationToken.None);
        Assert.Equal(AcceptStatus.Queued, result.Status);
        await final.Task;
        await pipeline.StopAsync(CancellationToken.None); // the last status batch is written (and its span ended) before this returns

        var accept = Assert.Single(spans, s => s.DisplayName == "accept" && (string?)s.GetTagItem("sms.message_id") == result.Message!.Id.ToString());
        var trace = spans.Where(s => s.TraceId == accept.TraceId).ToList();
        Activity One(string name) => Assert.Single(trace, s => s.DisplayName == name);
        Activity ParentOf(Activity child) => Assert.Single(trace, s => s.SpanId == child.ParentSpanId);

        var publish = One("publish sms-express");
        var dispatch = One("dispatch sms-express");
        var send = One("send MCI");
        var settle = One("settle");
        Assert.Same(accept, ParentOf(One("reserve")));
        Assert.Same(accept, ParentOf(publish));
        Assert.Same(publish, ParentOf(dispatch));
        Assert.Same(dispatch, ParentOf(send));
        Assert.Same(dispatch, ParentOf(settle));
        Assert.Equal((ActivityKind.Producer, ActivityKind.Consumer, ActivityKind.Client), (publish.Kind, dispatch.Kind, send.Kind));
        Assert.Equal("capture", settle.GetTagItem("sms.settle"));

        // queued (under publish, unless implied) and sent (under settle) each reach the reporter in the same trace.
        var statusConsumers = trace.Where(s => s.DisplayName == "status sms-status").Select(ParentOf).Select(ParentOf).ToList();
        Assert.Equal(queuedEventDelayMs == 0, statusConsumers.Contains(publish));
        Assert.Contains(settle, statusConsumers);
        Assert.Contains(trace, s => s.DisplayName == "status write");
    }

    [Fact(Timeout = 30_000)]
    public async Task Retries_continue_the_trace_and_are_counted()
    {
        var spans = new ConcurrentQueue<Activity>();
        using var listener = Listen(spans);
        long deadLettered = 0, exhausted = 0;
        using var meters = new MeterListener();
        meters.InstrumentPublished = (i, l) =>
        {
            if (i.Meter.Name == PipelineMetrics.MeterName && i.Name is "sms.dlq.published" or "sms.retries.exhausted")
            {
                l.EnableMeasurementEvents(i);
            }
        };
        var ledger = new InMemoryBalanceLedger();
        var options = new PipelineOptions { Retry = new RetryPolicy { MaxRetries = 2, BaseDelay = TimeSpan.FromMilliseconds(5), MaxDelay = TimeSpan.FromMilliseconds(10) } };
        await using var pipeline = new SmsPipelineBuilder().WithOptions(options).WithLedger(ledger)
            .WithOperatorSimulator(new OperatorSimulatorOptions { TransientFailureRate = 1.0 }).Build();
        meters.SetMeasurementEventCallback<long>((i, value, _, _) =>
        {
            // Only this test's pipeline fails every send, but other tests' pipelines share the meter name: count ours by instance.
            if (i.Meter == pipeline.Metrics.Meter)
            {
                Interlocked.Add(ref i.Name == "sms.dlq.published" ? ref deadLettered : ref exhausted, value);
            }
        });
        meters.Start();
        var failed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        pipeline.StatusPublished += e => { if (e.Status == MessageStatus.Failed) failed.TrySetResult(); };
        await pipeline.StartAsync(PipelineRoles.All, CancellationToken.None);
        await ledger.ChargeAsync("trace-u2", 100_000, "c1", CancellationToken.None);

        var result = await pipeline.SendAsync(new SendRequest("09121234567", "hello", "express", "trace-u2"), CancellationToken.None);
        await failed.Task;
        await pipeline.StopAsync(CancellationToken.None);

        var accept = Assert.Single(spans, s => s.DisplayName == "accept" && (string?)s.GetTagItem("sms.message_id") == result.Message!.Id.ToString());
        var sends = spans.Where(s => s.TraceId == accept.TraceId && s.DisplayName == "send MCI").ToList();
        Assert.Equal(3, sends.Count); // the first attempt and two retries, all in the accept's trace
        Assert.All(sends, s => Assert.Equal(ActivityStatusCode.Error, s.Status));
        Assert.Equal(2, spans.Count(s => s.TraceId == accept.TraceId && s.DisplayName == "dispatch sms-dlq" && s.GetTagItem("sms.dispatch.deferred") is null));
        Assert.Equal(2, Interlocked.Read(ref deadLettered));
        Assert.Equal(1, Interlocked.Read(ref exhausted));
    }

    [Theory]
    [InlineData("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", true)]
    [InlineData("not a traceparent", false)]
    [InlineData("00-00000000000000000000000000000000-b7ad6b7169203331-01", false)] // all-zero trace id is invalid
    public void A_delivery_header_gives_the_parent_or_nothing(string traceParent, bool valid)
    {
        var context = PipelineTelemetry.ParentOf(new HeaderOnlyDelivery(new Dictionary<string, string> { [TransportHeaders.TraceParent] = traceParent }));
        Assert.Equal(valid, context != default);
        if (valid)
        {
            Assert.Equal("0af7651916cd43dd8448eb211c80319c", context.TraceId.ToHexString());
            Assert.True(context.IsRemote);
        }
    }

    private static ActivityListener Listen(ConcurrentQueue<Activity> spans)
    {
        var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == PipelineTelemetry.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        return listener;
    }

    private sealed class HeaderOnlyDelivery(IReadOnlyDictionary<string, string> headers) : IDelivery
    {
        public string Topic => Topics.Express;

        public string Key => "k";

        public ReadOnlyMemory<byte> Payload => ReadOnlyMemory<byte>.Empty;

        public IReadOnlyDictionary<string, string> Headers => headers;

        public int DeliveryCount => 1;

        public ValueTask AckAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask NakAsync(TimeSpan delay, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask DeadLetterAsync(string reason, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }
}
