using System.Diagnostics;
using SmsGateway.Model;
using SmsGateway.Transport;
using SmsGateway.Transports.Kafka;
using SmsGateway.Transports.Kafka.Testing;

namespace SmsGateway.Tests.Kafka;

public sealed class BrokerGoneTests
{
    [Fact(Timeout = 60_000)]
    public async Task Publish_fails_within_the_publish_timeout_when_the_brokers_are_gone()
    {
        using var cluster = KafkaMockCluster.Start(3); // stopped below on purpose; disposing also covers a failed set-up
        var options = TestOptions.For(cluster.BootstrapServers, TestOptions.Unique("gone")) with { PublishTimeoutMs = 1500 };
        await using var transport = new KafkaTransport(options);
        try
        {
            // Connected and working first.
            await transport.PublishAsync(Topics.Express, new OutgoingMessage("u1", "before"u8.ToArray()), CancellationToken.None);
        }
        finally
        {
            cluster.Stop();
        }

        var clock = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<TransportException>(
            async () => await transport.PublishAsync(Topics.Express, new OutgoingMessage("u1", "after"u8.ToArray()), CancellationToken.None));
        clock.Stop();

        Assert.Contains("did not confirm", error.Message);
        Assert.Contains(options.KafkaTopic(Topics.Express), error.Message);
        Assert.InRange(clock.ElapsedMilliseconds, 0, 1500 + 2000);
    }
}
