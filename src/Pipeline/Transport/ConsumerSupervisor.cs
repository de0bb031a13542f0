using Microsoft.Extensions.Logging;

namespace SmsGateway.Transport;

/// <summary>
/// Keeps one consumer of one topic running: subscribes, runs the stage's consume loop, and when the loop ends on a fault
/// (its deliveries channel completed with an error, or the loop threw) or its subscription closed while the stage runs,
/// logs it, counts it (<c>sms.consumer.restarts</c>), waits (100 ms doubling per consecutive fault, up to
/// <see cref="PipelineOptions.ConsumerRestartMax"/>), disposes the old subscription (its unacked deliveries go back to the
/// group) and subscribes again. So a fault never stops a topic's consumer for good (issue 12, consumers supervised).
/// </summary>
/// <remarks>
/// The first subscribe happens in <see cref="StartAsync"/> and throws as before, so a misconfigured process fails at start.
/// Supervision ends when <see cref="StopAsync"/> is called or the transport is disposed (<see cref="ObjectDisposedException"/>).
/// </remarks>
internal sealed class ConsumerSupervisor
{
    private static readonly TimeSpan FirstPause = TimeSpan.FromMilliseconds(100);
    private readonly IMessageTransport _transport;
    private readonly string _topic;
    private readonly string _group;
    private readonly SubscriptionOptions _options;
    private readonly Func<IMessageSubscription, CancellationToken, Task> _consume;
    private readonly TimeSpan _restartMax;
    private readonly PipelineMetrics _metrics;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;
    private volatile IMessageSubscription? _current;

    /// <summary>Creates a stopped supervisor of one consumer of <paramref name="topic"/> in <paramref name="group"/>.</summary>
    /// <param name="transport">Where to subscribe.</param>
    /// <param name="topic">One of <see cref="Model.Topics"/>.</param>
    /// <param name="group">Consumer group.</param>
    /// <param name="options">Subscription settings.</param>
    /// <param name="consume">The stage's loop over one subscription's deliveries; returns when the channel completes, throws when it faults.</param>
    /// <param name="restartMax">Longest pause before subscribing again.</param>
    /// <param name="metrics">Counts restarts.</param>
    /// <param name="logger">Logs each fault.</param>
    public ConsumerSupervisor(IMessageTransport transport, string topic, string group, SubscriptionOptions options,
        Func<IMessageSubscription, CancellationToken, Task> consume, TimeSpan restartMax, PipelineMetrics metrics, ILogger logger)
    {
        _transport = transport;
        _topic = topic;
        _group = group;
        _options = options;
        _consume = consume;
        _restartMax = restartMax;
        _metrics = metrics;
        _logger = logger;
    }

    /// <summary>The subscription in use now; null before start and between a fault and the next subscribe.</summary>
    public IMessageSubscription? Current => _current;

    /// <summary>Consumer restarts so far.</summary>
    public int Restarts { get; private set; }

    /// <summary>Token cancelled by <see cref="StopAsync"/>.</summary>
    public CancellationToken Stopping => _stop.Token;

    /// <summary>Subscribes and starts the supervised loop.</summary>
    /// <exception cref="TransportException">The first subscription could not be created.</exception>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _current = await _transport.SubscribeAsync(_topic, _group, _options, cancellationToken).ConfigureAwait(false);
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Stops the loop (the consume delegate sees <see cref="Stopping"/> cancelled) and waits for it; does not dispose the subscription.</summary>
    public async Task StopLoopAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
    }

    /// <summary>Stops the loop if running, then leaves the consumer group.</summary>
    public async Task StopAsync()
    {
        await StopLoopAsync().ConfigureAwait(false);
        if (Interlocked.Exchange(ref _current, null) is { } sub)
        {
            await sub.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task RunAsync()
    {
        var token = _stop.Token;
        int consecutive = 0;
        while (!token.IsCancellationRequested)
        {
            Exception fault;
            var sub = _current;
            long started = Environment.TickCount64;
            try
            {
                if (sub is null)
                {
                    sub = await _transport.SubscribeAsync(_topic, _group, _options, token).ConfigureAwait(false);
                    _current = sub;
                }

                await _consume(sub, token).ConfigureAwait(false);
                if (token.IsCancellationRequested)
                {
                    return;
                }

                fault = new TransportException($"the subscription of group {_group} on {_topic} closed while the stage runs");
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return; // the transport is gone (process stopping): nothing to subscribe to
            }
            catch (Exception ex)
            {
                fault = ex;
            }

            // a consumer that ran a while before this fault starts its backoff again from the first pause
            consecutive = Environment.TickCount64 - started > 2 * _restartMax.TotalMilliseconds ? 1 : consecutive + 1;
            Restarts++;
            var pause = TimeSpan.FromMilliseconds(Math.Min(FirstPause.TotalMilliseconds * Math.Pow(2, Math.Min(consecutive - 1, 20)), _restartMax.TotalMilliseconds));
            PipelineLog.ConsumerRestarting(_logger, fault, _topic, _group, pause.TotalMilliseconds, Restarts);
            _metrics.ConsumerRestarted(_topic);
            if (Interlocked.Exchange(ref _current, null) is { } old)
            {
                try
                {
                    await old.DisposeAsync().ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    PipelineLog.ConsumerFailed(_logger, ex, _topic); // leaving a broken subscription: the broker drops it after its timeout
                }
            }

            try
            {
                await Task.Delay(pause, token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
