using System.Runtime.InteropServices;
using SmsGateway.Transports.Kafka.Testing;

namespace SmsGateway.Bench.Kafka;

/// <summary>
/// Hosts librdkafka's mock cluster in this process for full-stack runs over Kafka (<c>TRANSPORT=kafka</c> in
/// <c>scripts/stack-host.sh</c>): <c>dotnet SmsGateway.Bench.dll kafka-mock [brokers]</c> prints
/// <c>bootstrap=&lt;host:port,…&gt;</c> once the pipeline's topics exist, then serves until SIGTERM or SIGINT. The
/// process's CPU is the broker's share in the cost model (bench/README.md); the mock is not Kafka, so its figures bound
/// the transport's client cost, not a broker's.
/// </summary>
public static class KafkaMockHost
{
    /// <summary>Starts the mock, prints its bootstrap servers, and serves until SIGTERM or SIGINT.</summary>
    /// <param name="args">The command line: <c>kafka-mock [brokers]</c> (brokers: 3 when absent).</param>
    /// <exception cref="Confluent.Kafka.KafkaException">The mock did not start or its topics got no leaders within 10 s.</exception>
    /// <exception cref="FormatException">The broker count is not an integer.</exception>
    public static async Task RunAsync(string[] args)
    {
        int brokers = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 3;
        using var cluster = KafkaMockCluster.Start(brokers);
        using var stop = new CancellationTokenSource();
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => { context.Cancel = true; stop.Cancel(); });
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => { context.Cancel = true; stop.Cancel(); });
        Console.WriteLine($"bootstrap={cluster.BootstrapServers}");
        try
        {
            await Task.Delay(Timeout.Infinite, stop.Token);
        }
        catch (OperationCanceledException)
        {
            Console.WriteLine("stopping the mock cluster");
        }
    }
}
