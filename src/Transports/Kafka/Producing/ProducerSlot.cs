using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using SmsGateway.Transports.Kafka.Diagnostics;

namespace SmsGateway.Transports.Kafka.Producing;

/// <summary>
/// One lazily built producer (one linger setting). After a fatal producer error the next <see cref="Get"/> builds a
/// fresh producer; the broken one is flushed and disposed in the background.
/// </summary>
/// <remarks>Thread-safe. librdkafka's producer is itself thread-safe, so one instance serves every publisher.</remarks>
internal sealed class ProducerSlot : IDisposable
{
    private readonly KafkaTransportOptions _options;
    private readonly double _lingerMs;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private IProducer<string, byte[]>? _producer;
    private volatile bool _fatal;

    public ProducerSlot(KafkaTransportOptions options, double lingerMs, ILogger logger)
    {
        _options = options;
        _lingerMs = lingerMs;
        _logger = logger;
    }

    /// <summary>The current producer, built on first use or after a fatal error.</summary>
    public IProducer<string, byte[]> Get()
    {
        var producer = _producer;
        if (producer is not null && !_fatal)
        {
            return producer;
        }

        lock (_gate)
        {
            if (_producer is not null && !_fatal)
            {
                return _producer;
            }

            var broken = _producer;
            _fatal = false;
            _producer = Build();
            if (broken is not null)
            {
                _ = Task.Run(() =>
                {
                    broken.Flush(TimeSpan.FromMilliseconds(_options.PublishTimeoutMs));
                    broken.Dispose();
                });
            }

            return _producer;
        }
    }

    /// <summary>Waits up to the publish timeout for buffered messages, then disposes the producer.</summary>
    public void Dispose()
    {
        IProducer<string, byte[]>? producer;
        lock (_gate)
        {
            producer = _producer;
            _producer = null;
        }

        if (producer is null)
        {
            return;
        }

        var left = producer.Flush(TimeSpan.FromMilliseconds(_options.PublishTimeoutMs));
        if (left > 0)
        {
            Log.FlushIncomplete(_logger, left);
        }

        producer.Dispose();
    }

    private IProducer<string, byte[]> Build() =>
        new ProducerBuilder<string, byte[]>(KafkaConfigs.Producer(_options, _lingerMs))
            .SetLogHandler((_, m) => Log.Librdkafka(_logger, Log.FromSyslog((int)m.Level), m.Facility, m.Name, m.Message))
            .SetErrorHandler((_, e) =>
            {
                if (e.IsFatal)
                {
                    _fatal = true;
                    Log.FatalError(_logger, "producer", e.Code.ToString(), e.Reason);
                }
                else
                {
                    Log.TransientError(_logger, "producer", e.Code.ToString(), e.Reason);
                }
            })
            .Build();
}
