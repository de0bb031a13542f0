namespace SmsGateway.Tests.EndToEnd;

/// <summary>A collection that runs with no other test class at the same time (see <see cref="MetricsTests"/>).</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MetricsCollection
{
    /// <summary>The collection's name.</summary>
    public const string Name = "metrics";
}
