namespace SmsGateway.Tests.Redis;

[CollectionDefinition(Name)]
public sealed class RedisCollection : ICollectionFixture<RedisServersFixture>
{
    public const string Name = "redis";
}
