using System.Threading.Channels;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using SmsGateway.Transport;
using SmsGateway.Transports.Kafka.Diagnostics;
using SmsGateway.Transports.Kafka.Producing;

namespace SmsGateway.Transports.Kafka.Consuming;

/// <summary>
/// One Kafka consumer-group member. A dedicated thread runs the consume loop (<c>KafkaSubscription.Loop.cs</c>);
/// rebalance callbacks run on it too (<c>.Rebalance.cs</c>); acks and naks come from any thread (<c>.Settle.cs</c>).
/// </summary>
internal sealed partial class KafkaSubscription : IMessageSubscription
{
    private readonly KafkaTransportOptions _options;
    private readonly SubscriptionOptions _subscription;
    private readonly ILogger _logger;
    private readonly Action<KafkaSubscription> _onDisposed;
    private readonly Channel<KafkaDelivery> _channel;
    private readonly IConsumer<string, byte[]> _consumer;
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly string _kafkaTopic;
    private volatile bool _stopping;
    private int _unacked;
    private int _disposed;

    private KafkaSubscription(
        KafkaTransportOptions options, string topic, string consumerGroup, SubscriptionOptions subscription, ILogger logger, Action<KafkaSubscription> onDisposed)
    {
        _options = options;
        _subscription = subscription;
        _logger = logger;
        _onDisposed = onDisposed;
        Topic = topic;
        ConsumerGroup = consumerGroup;
        _kafkaTopic = options.KafkaTopic(topic);
        _channel = Channel.CreateBounded<KafkaDelivery>(new BoundedChannelOptions(subscription.MaxInFlight)
        {
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        Deliveries = new DeliveryReader(_channel.Reader);
        _consumer = new ConsumerBuilder<string, byte[]>(KafkaConfigs.Consumer(options, options.GroupIdPrefix + consumerGroup, subscription.MaxInFlight))
            .SetLogHandler((_, m) => Log.Librdkafka(_logger, Log.FromSyslog((int)m.Level), m.Facility, m.Name, m.Message))
            .SetErrorHandler((_, e) => OnError(e))
            .SetPartitionsAssignedHandler((_, partitions) => OnAssigned(partitions))
            .SetPartitionsRevokedHandler((_, offsets) => OnRevoked(offsets))
            .SetPartitionsLostHandler((_, offsets) => OnLost(offsets))
            .Build();
    }

    public string Topic { get; }

    public string ConsumerGroup { get; }

    public ChannelReader<IDelivery> Deliveries { get; }

    /// <summary>Builds the consumer, subscribes and starts the consume thread.</summary>
    /// <exception cref="KafkaException">librdkafka refused the configuration or the subscription.</exception>
    public static KafkaSubscription Start(
        KafkaTransportOptions options, string topic, string consumerGroup, SubscriptionOptions subscription, ILogger logger, Action<KafkaSubscription> onDisposed)
    {
        var s = new KafkaSubscription(options, topic, consumerGroup, subscription, logger, onDisposed);
        try
        {
            s._consumer.Subscribe(s._kafkaTopic);
        }
        catch
        {
            s._consumer.Dispose();
            throw;
        }

        var thread = new Thread(s.Run)
        {
            IsBackground = true,
            Name = $"kafka-consume {consumerGroup}/{topic}",
        };
        thread.Start();
        return s;
    }

    /// <summary>Stops the loop: commits acknowledged offsets, leaves the group (<c>Close()</c>), then disposes the consumer.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            await _stopped.Task.ConfigureAwait(false);
            return;
        }

        _stopping = true;
        await _stopped.Task.ConfigureAwait(false);
        _onDisposed(this);
    }
}
