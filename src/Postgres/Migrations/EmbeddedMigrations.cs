namespace SmsGateway.Postgres.Migrations;

/// <summary>The migrations compiled into this assembly (<c>Migrations/*.sql</c>, logical names <c>migrations/NNNN_name.sql</c>).</summary>
internal static class EmbeddedMigrations
{
    private const string Prefix = "migrations/";

    private static readonly Lazy<IReadOnlyList<Migration>> LazyAll = new(Load);

    /// <summary>Every embedded migration in ascending version order.</summary>
    public static IReadOnlyList<Migration> All => LazyAll.Value;

    private static IReadOnlyList<Migration> Load()
    {
        var assembly = typeof(EmbeddedMigrations).Assembly;
        var list = new List<Migration>();
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            if (!resource.StartsWith(Prefix, StringComparison.Ordinal))
            {
                continue;
            }

            using var stream = assembly.GetManifestResourceStream(resource)
                ?? throw new InvalidOperationException($"embedded migration '{resource}' cannot be read");
            using var reader = new StreamReader(stream);
            list.Add(Migration.Create(resource[Prefix.Length..], reader.ReadToEnd()));
        }

        return Sorted(list);
    }

    /// <summary>Sorts by version and rejects two files with one version.</summary>
    /// <exception cref="InvalidOperationException">Duplicate version.</exception>
    public static IReadOnlyList<Migration> Sorted(IEnumerable<Migration> migrations)
    {
        var sorted = migrations.OrderBy(m => m.Version).ToList();
        for (var i = 1; i < sorted.Count; i++)
        {
            if (sorted[i].Version == sorted[i - 1].Version)
            {
                throw new InvalidOperationException(
                    $"migrations '{sorted[i - 1].FileName}' and '{sorted[i].FileName}' have the same version {sorted[i].Version}");
            }
        }

        return sorted;
    }
}
