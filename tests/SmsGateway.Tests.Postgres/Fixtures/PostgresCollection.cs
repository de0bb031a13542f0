namespace SmsGateway.Tests.Postgres.Fixtures;

/// <summary>Every test class of this project shares one PostgreSQL server.</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresFixture>
{
    public const string Name = "postgres";
}
