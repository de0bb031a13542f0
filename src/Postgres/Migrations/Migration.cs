using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace SmsGateway.Postgres.Migrations;

/// <summary>One versioned SQL migration, from a file named <c>NNNN_name.sql</c>.</summary>
/// <param name="Version">The leading number of the file name; migrations apply in ascending order.</param>
/// <param name="Name">The rest of the file name, without extension.</param>
/// <param name="FileName">The file name, for error messages.</param>
/// <param name="Sql">The script, run in one transaction.</param>
/// <param name="Checksum">Lower-case hex SHA-256 of the script with line endings normalised to LF.</param>
internal sealed partial record Migration(int Version, string Name, string FileName, string Sql, string Checksum)
{
    /// <summary>Parses <paramref name="fileName"/> and hashes <paramref name="sql"/>.</summary>
    /// <exception cref="ArgumentException">The file name is not <c>NNNN_name.sql</c>.</exception>
    public static Migration Create(string fileName, string sql)
    {
        var match = FileNamePattern().Match(fileName);
        if (!match.Success)
        {
            throw new ArgumentException($"migration file '{fileName}' is not named NNNN_name.sql", nameof(fileName));
        }

        var normalised = sql.Replace("\r\n", "\n", StringComparison.Ordinal);
        var checksum = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(normalised)));
        return new Migration(int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), match.Groups[2].Value, fileName, normalised, checksum);
    }

    [GeneratedRegex(@"^(\d{1,9})_([A-Za-z0-9_\-]+)\.sql$")]
    private static partial Regex FileNamePattern();
}
