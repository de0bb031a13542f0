namespace SmsGateway.Tests.Redis;

/// <summary>
/// The classes that freeze (SIGSTOP) or stop their own Redis servers and then measure how long calls take. They run one
/// after the other and after every parallel class: their timeouts and grant times are what they assert, and on a 2-core
/// machine the other classes' load (and a frozen server's stuck calls, theirs) made both time out in the full run.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class FaultCollection
{
    /// <summary>The collection's name.</summary>
    public const string Name = "redis-faults";
}
