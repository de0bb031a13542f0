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
        return await Task.Run(() =>
        {
            using var admin = new DependentAdminClientBuilder(producer.Handle).Build();
            try
            {
                return admin.GetMetadata(topic, TimeSpan.FromMilliseconds(ProbeRequestTimeoutMs)).Brokers.Count > 0;
            }
            catch (KafkaException ex)
            {
                Log.ProbeFailed(_logger, ex.Error.Code, ex.Error.Reason);
                return false;
            }
        }, cancellationToken).WaitAsync(cancellationToken).ConfigureAwait(false);
    }
}
