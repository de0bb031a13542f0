namespace SmsGateway.Transports.Nats.Client.JetStream;

/// <summary>Settings of a long-running pull (<see cref="NatsJSConsumer.Consume"/>).</summary>
public sealed record NatsJSConsumeOpts
{
    /// <summary>Messages buffered ahead of the reader; pulls never ask for more than the free room. Default 1000.</summary>
    public int MaxMsgs { get; init; } = 1000;

    /// <summary>A new pull is sent once at least this many slots are free (and no pull is outstanding). Default half of <see cref="MaxMsgs"/>; 0 for that default.</summary>
    public int ThresholdMsgs { get; init; }

    /// <summary>Lifetime of one pull request at the server (answered with 408 when it ends unfilled). Default 30 s.</summary>
    public TimeSpan Expires { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Server heartbeat interval while a pull waits (status 100); missing two means the pull is lost. Default 5 s.</summary>
    public TimeSpan IdleHeartbeat { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Shared defaults.</summary>
    public static NatsJSConsumeOpts Default { get; } = new();

    /// <summary>Checks every value.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
    public NatsJSConsumeOpts Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxMsgs, 1, nameof(MaxMsgs));
        ArgumentOutOfRangeException.ThrowIfNegative(ThresholdMsgs, nameof(ThresholdMsgs));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(ThresholdMsgs, MaxMsgs, nameof(ThresholdMsgs));
        ArgumentOutOfRangeException.ThrowIfLessThan(Expires, TimeSpan.FromSeconds(1), nameof(Expires));
        ArgumentOutOfRangeException.ThrowIfLessThan(IdleHeartbeat, TimeSpan.FromMilliseconds(100), nameof(IdleHeartbeat));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(IdleHeartbeat, Expires / 2, nameof(IdleHeartbeat));
        return this;
    }
}
