namespace SmsGateway.Tests.Redis;

/// <summary>
/// The testing helpers' bookkeeping of the servers they start (<see cref="ServerProcess.Unstopped"/>): what a test
/// leaves running is killed and named when the test host exits, so each start must be tracked and each stop untracked.
/// </summary>
public sealed class TestServerTests
{
    [Fact]
    public async Task A_started_server_is_tracked_with_its_test_until_it_is_stopped()
    {
        var server = await RedisServer.StartAsync();
        var started = Assert.Single(ServerProcess.Unstopped, p => p.Label.EndsWith(
            $"started by {nameof(TestServerTests)}.{nameof(A_started_server_is_tracked_with_its_test_until_it_is_stopped)}", StringComparison.Ordinal));
        Assert.StartsWith("redis-server", started.Label, StringComparison.Ordinal);
        Assert.True(Directory.Exists($"/proc/{started.Pid}"), "the tracked PID is the running server");

        await server.DisposeAsync();

        Assert.DoesNotContain(ServerProcess.Unstopped, p => p.Pid == started.Pid);
        Assert.False(Directory.Exists($"/proc/{started.Pid}"), "the server's process is gone after the stop");
    }

    [Fact]
    public async Task A_restarted_server_is_still_named_by_the_test_that_started_it()
    {
        await using var server = await RedisServer.StartAsync();
        var suffix = $"started by {nameof(TestServerTests)}.{nameof(A_restarted_server_is_still_named_by_the_test_that_started_it)}";
        var first = Assert.Single(ServerProcess.Unstopped, p => p.Label.EndsWith(suffix, StringComparison.Ordinal));

        await server.RestartAsync(); // starts after an await inside the helper, where the test is no longer on the stack

        var second = Assert.Single(ServerProcess.Unstopped, p => p.Label.EndsWith(suffix, StringComparison.Ordinal));
        Assert.NotEqual(first.Pid, second.Pid);
        Assert.DoesNotContain(ServerProcess.Unstopped, p => p.Pid == first.Pid);
    }

    [Fact]
    public async Task Many_servers_started_together_are_each_tracked_and_each_stopped()
    {
        var servers = await RedisServer.StartManyAsync(3);
        var pids = ServerProcess.Unstopped
            .Where(p => p.Label.EndsWith($".{nameof(Many_servers_started_together_are_each_tracked_and_each_stopped)}", StringComparison.Ordinal))
            .Select(p => p.Pid)
            .ToArray();
        Assert.Equal(3, pids.Length);

        foreach (var server in servers)
        {
            await server.DisposeAsync();
        }

        Assert.All(pids, pid => Assert.False(Directory.Exists($"/proc/{pid}"), $"pid {pid} still runs"));
        Assert.DoesNotContain(ServerProcess.Unstopped, p => pids.Contains(p.Pid));
    }
}
