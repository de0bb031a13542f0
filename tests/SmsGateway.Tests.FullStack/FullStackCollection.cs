namespace SmsGateway.Tests.FullStack;

[CollectionDefinition(Name)]
public sealed class FullStackCollection : ICollectionFixture<StackFixture>
{
    public const string Name = "full stack";
}
