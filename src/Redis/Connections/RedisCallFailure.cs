using StackExchange.Redis;

namespace SmsGateway.Redis;

/// <summary>
/// Tells a failed StackExchange.Redis call from one its caller cancelled (docs/architecture.md "Redis calls that fail").
/// </summary>
public static class RedisCallFailure
{
    /// <summary>
    /// True when <paramref name="exception"/>, thrown by one StackExchange.Redis call (or by awaiting it with
    /// <c>WaitAsync(callerToken)</c>), means the call failed rather than that <paramref name="callerToken"/> cancelled it:
    /// <list type="bullet">
    /// <item>a timeout, a server error or a lost connection (<see cref="TimeoutException"/>, <see cref="RedisException"/>);</item>
    /// <item>what StackExchange.Redis 2.13 ends a call in flight with when its dead-socket check (no reads for about four call
    /// limits, e.g. a frozen server) tears the connection down: <see cref="TaskCanceledException"/> though nobody cancelled
    /// the call, or <see cref="InvalidOperationException"/> ("Reading is not allowed after reader was completed");</item>
    /// <item><see cref="ObjectDisposedException"/> (an <see cref="InvalidOperationException"/>): the connection closed at shutdown.</item>
    /// </list>
    /// </summary>
    /// <param name="exception">What the call threw.</param>
    /// <param name="callerToken">The caller's token; a cancellation it requested is the caller's, not a failure.</param>
    /// <remarks>Pure; thread-safe.</remarks>
    public static bool Is(Exception exception, CancellationToken callerToken = default) => exception switch
    {
        TimeoutException or RedisException or InvalidOperationException => true,
        OperationCanceledException => !callerToken.IsCancellationRequested,
        _ => false,
    };
}
