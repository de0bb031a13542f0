using System.Collections.Concurrent;
using System.Text.Json;
using SmsGateway.Dispatch;
using SmsGateway.Model;
using SmsGateway.Routing;

namespace SmsGateway.Tests.Unit;

public sealed class OperatorClientRouterTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("router").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Table(string mciConnection) => $$"""
        {"operators":[
          {"name":"MCI","prefixes":["0912"],"price_per_segment":1,"max_concurrency":1,"send_timeout_ms":1000,"connection":{{mciConnection}}},
          {"name":"MTN","prefixes":["0935"],"price_per_segment":1,"max_concurrency":1,"send_timeout_ms":1000}]}
        """;

    private static SmsMessage Message(string op) =>
        new(MessageIds.New(), "u", "+989121234567", "x", MessageType.Normal, op, SmsEncoding.Gsm7, 1, 1, DateTimeOffset.UtcNow);

    [Fact]
    public void Connections_are_parsed_with_the_simulator_as_default()
    {
        var table = OperatorTable.Parse(Table("""{"type":"FAKE","host":"h1","source_addr":"98100"}"""));
        var mci = table.FindByName("MCI")!.Connection;
        Assert.Equal("fake", mci.Type);
        Assert.Equal("98100", mci.SourceAddr);
        Assert.Equal("h1", mci.Settings.GetProperty("host").GetString());
        Assert.Equal(OperatorConnection.Simulator, table.FindByName("MTN")!.Connection);
    }

    [Theory]
    [InlineData("\"smpp\"", "operators[MCI].connection must be an object")]
    [InlineData("""{"host":"h"}""", "operators[MCI].connection.type is required")]
    [InlineData("""{"type":"fake","source_addr":5}""", "operators[MCI].connection.source_addr")]
    public void Malformed_connections_are_refused_naming_the_key(string connection, string message)
    {
        var ex = Assert.Throws<OperatorTableException>(() => OperatorTable.Parse(Table(connection)));
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unregistered_type_or_settings_the_factory_refuses_fail_at_start_naming_the_key()
    {
        var unknown = new OperatorTableSource(OperatorTable.Parse(Table("""{"type":"smpp"}""")));
        var ex = Assert.Throws<OperatorTableException>(() => new OperatorClientRouter(unknown, [new FakeFactory()], new OperatorSimulator()));
        Assert.Contains("operators[MCI].connection.type 'smpp' is not one of: simulator, fake", ex.Message, StringComparison.Ordinal);

        var bad = new OperatorTableSource(OperatorTable.Parse(Table("""{"type":"fake"}""")));
        ex = Assert.Throws<OperatorTableException>(() => new OperatorClientRouter(bad, [new FakeFactory()], new OperatorSimulator()));
        Assert.Contains("operators[MCI].connection.host", ex.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 20_000)]
    public async Task Each_operator_uses_its_connection_and_a_changed_connection_replaces_the_client_after_its_sends()
    {
        string path = Path.Combine(_dir, "operator.json");
        await File.WriteAllTextAsync(path, Table("""{"type":"fake","host":"h1"}"""));
        using var routes = new OperatorTableSource(path);
        var factory = new FakeFactory();
        await using var router = new OperatorClientRouter(routes, [factory], new OperatorSimulator());

        Assert.Equal(SendOutcome.Accepted, (await router.SendAsync(Message("MTN"), CancellationToken.None)).Outcome); // simulator
        var first = factory.Created.Single();
        first.Hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var inFlight = router.SendAsync(Message("MCI"), CancellationToken.None).AsTask();
        Assert.Equal(1, first.Sends);

        // Same connection again: the client stays. Changed host: a new client; the old one closes after its send.
        Assert.True(routes.Reload());
        Assert.Single(factory.Created);
        await File.WriteAllTextAsync(path, Table("""{"type":"fake","host":"h2"}"""));
        Assert.True(routes.Reload());
        var second = factory.Created.Last();
        Assert.NotSame(first, second);
        Assert.Equal("h2", second.Host);
        await router.SendAsync(Message("MCI"), CancellationToken.None);
        Assert.Equal(1, second.Sends);
        Assert.False(first.Disposed, "disposed while a send was in flight");

        first.Hold.SetResult();
        Assert.Equal(SendOutcome.Accepted, (await inFlight).Outcome);
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (!first.Disposed && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        Assert.True(first.Disposed);

        // An invalid reload keeps the table and the clients.
        await File.WriteAllTextAsync(path, Table("""{"type":"nope"}"""));
        Assert.False(routes.Reload());
        Assert.Equal("fake", routes.Current.FindByName("MCI")!.Connection.Type);
    }

    private sealed class FakeFactory : IOperatorConnectionFactory
    {
        public ConcurrentQueue<FakeClient> Created { get; } = new();

        public string Type => "fake";

        public void Validate(string operatorName, JsonElement connection)
        {
            if (!connection.TryGetProperty("host", out _))
            {
                throw new ArgumentException($"operators[{operatorName}].connection.host is required");
            }
        }

        public IOperatorClient Create(string operatorName, JsonElement connection)
        {
            var client = new FakeClient(connection.GetProperty("host").GetString()!);
            Created.Enqueue(client);
            return client;
        }
    }

    private sealed class FakeClient(string host) : IOperatorClient, IAsyncDisposable
    {
        private int _sends;

        public string Host { get; } = host;

        public TaskCompletionSource? Hold { get; set; }

        public int Sends => Volatile.Read(ref _sends);

        public bool Disposed { get; private set; }

        public async ValueTask<SendResult> SendAsync(SmsMessage message, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _sends);
            if (Hold is { } hold)
            {
                await hold.Task;
            }

            return SendResult.Accepted;
        }

        public ValueTask DisposeAsync()
        {
            Disposed = true;
            return ValueTask.CompletedTask;
        }
    }
}
