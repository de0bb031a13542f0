using SmsGateway.Testing;

namespace SmsGateway.Tests.Nats;

[CollectionDefinition(Name)]
public sealed class NatsCollection : ICollectionFixture<NatsServer>
{
    public const string Name = "nats";
}
