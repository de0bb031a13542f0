using Microsoft.Extensions.DependencyInjection;
using SmsGateway.Model;
using SmsGateway.Transport;
using SmsGateway.Transports.Kafka;

namespace SmsGateway.Tests.Kafka;

public sealed class OptionsTests
{
    private static readonly KafkaTransportOptions Valid = new() { BootstrapServers = "127.0.0.1:9092" };

    [Fact]
    public void Defaults_map_every_topic_to_itself_and_validate()
    {
        var options = Valid.Validate();
        Assert.All(Topics.All, t => Assert.Equal(t, options.KafkaTopic(t)));
        Assert.Equal(5000, options.PublishTimeoutMs);
        Assert.Equal("earliest", options.AutoOffsetReset);
    }

    [Theory]
    [InlineData("")]
    [InlineData("localhost")]
    [InlineData("localhost:0")]
    [InlineData("a:9092,b")]
    public void Bad_bootstrap_servers_are_rejected(string servers) =>
        Assert.ThrowsAny<ArgumentException>(() => (Valid with { BootstrapServers = servers }).Validate());

    [Fact]
    public void Illegal_topic_names_and_ranges_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => (Valid with { TopicNames = new Dictionary<string, string> { [Topics.Status] = "bad topic" } }).Validate());
        Assert.Throws<ArgumentException>(() => (Valid with { GroupIdPrefix = "a/b" }).Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => (Valid with { PublishTimeoutMs = 0 }).Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => (Valid with { HeartbeatIntervalMs = 10_000, SessionTimeoutMs = 10_000 }).Validate());
        Assert.Throws<ArgumentException>(() => (Valid with { AutoOffsetReset = "none" }).Validate());
    }

    [Fact]
    public void Topic_map_renames_only_the_given_topics()
    {
        var options = Valid with { TopicNames = new Dictionary<string, string> { [Topics.DeadLetter] = "prod.sms-dlq" } };
        Assert.Equal("prod.sms-dlq", options.Validate().KafkaTopic(Topics.DeadLetter));
        Assert.Equal(Topics.Express, options.KafkaTopic(Topics.Express));
    }

    [Fact]
    public async Task AddKafkaTransport_replaces_an_earlier_transport_registration()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IMessageTransport, PlaceholderTransport>();
        services.AddKafkaTransport(Valid);

        await using var provider = services.BuildServiceProvider();
        Assert.IsType<KafkaTransport>(provider.GetRequiredService<IMessageTransport>());
        Assert.Single(services, d => d.ServiceType == typeof(IMessageTransport));
        Assert.Throws<ArgumentException>(() => new ServiceCollection().AddKafkaTransport(new KafkaTransportOptions()));
    }

    [Fact]
    public void The_packaged_librdkafka_is_loaded()
    {
        // librdkafka.redist ships the native library beside Confluent.Kafka; the system's librdkafka1 (2.0.2) is not used.
        Assert.StartsWith("2.16.", Confluent.Kafka.Library.VersionString);
    }

    private sealed class PlaceholderTransport : IMessageTransport
    {
        public ValueTask PublishAsync(string topic, OutgoingMessage message, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask<IMessageSubscription> SubscribeAsync(string topic, string consumerGroup, SubscriptionOptions options, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
