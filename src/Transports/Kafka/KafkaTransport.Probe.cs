using Confluent.Kafka;
using SmsGateway.Model;
using SmsGateway.Transport;
using SmsGateway.Transports.Kafka.Diagnostics;

namespace SmsGateway.Transports.Kafka;

public sealed partial class KafkaTransport
{
    /// <summary>How long librdkafka may wait for the metadata of one probe, ms.</summary>
    private const int ProbeRequestTimeoutMs = 800;

    /// <inheritdoc />
    /// <remarks>
    /// Asks a broker for the metadata of the status topic (Confluent.Kafka <c>GetMetadata</c>) through an admin client that
    /// shares the normal producer's connections (<see cref="DependentAdminClientBuilder"/>), so the probe opens no connection
    /// of its own. Connected means a broker answered within 800 ms; with every broker gone librdkafka ends the request with a
    /// timeout and the probe answers false. <c>GetMetadata</c> blocks, so it runs on a thread-pool thread (at most 800 ms).
    /// (<c>DescribeClusterAsync</c> would be asynchronous, but it also waits for a controller, which librdkafka's mock cluster
    /// never names.)
    /// </remarks>
    public async ValueTask<bool> IsConnectedAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            return false;
        }

        var producer = _normal.Get();
        var topic = _options.KafkaTopic(Topics.Status);
        return await Task.Run(() => HasMetadata(producer, topic, ProbeRequestTimeoutMs), cancellationToken)
            .WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Builds both producers and has each fetch the metadata of the topics it publishes to, so the first publish after start
    /// does not pay for bootstrap, the idempotent producer id and the partition leaders inside a request's accept deadline
    /// (900 ms by default: a fresh producer took longer on a busy 2-core machine, docs/kafka.md "Start-up").
    /// </summary>
    /// <remarks>
    /// Asks for the topics of <see cref="Topics.All"/> one by one on a thread-pool thread, each within
    /// <see cref="KafkaTransportOptions.PublishTimeoutMs"/>. At the first topic not answered it logs event 5111 and gives up,
    /// so start-up waits at most one publish timeout with the brokers gone; publishes then fail, and readiness says so, as
    /// after any outage.
    /// </remarks>
    /// <param name="cancellationToken">Stops waiting (the host's start-up token).</param>
    /// <returns>True when every topic's metadata arrived.</returns>
    /// <exception cref="ObjectDisposedException">The transport was disposed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired (the wait ends; librdkafka's
    /// request runs out on its thread-pool thread).</exception>
    public async Task<bool> WarmUpAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        foreach (var topic in Topics.All)
        {
            var producer = (topic == Topics.Express ? _express : _normal).Get();
            var kafkaTopic = _options.KafkaTopic(topic);
            var answered = await Task.Run(() => HasMetadata(producer, kafkaTopic, _options.PublishTimeoutMs), cancellationToken)
                .WaitAsync(cancellationToken).ConfigureAwait(false);
            if (!answered)
            {
                Log.WarmUpIncomplete(_logger, kafkaTopic, _options.PublishTimeoutMs);
                return false;
            }
        }

        return true;
    }

    private bool HasMetadata(IProducer<string, byte[]> producer, string topic, int timeoutMs)
    {
        using var admin = new DependentAdminClientBuilder(producer.Handle).Build();
        try
        {
            return admin.GetMetadata(topic, TimeSpan.FromMilliseconds(timeoutMs)).Brokers.Count > 0;
        }
        catch (KafkaException ex)
        {
            Log.ProbeFailed(_logger, ex.Error.Code, ex.Error.Reason);
            return false;
        }
    }
}
