using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using SmsGateway.Status;
using SmsGateway.Templates;

namespace SmsGateway.Postgres.Templates;

/// <summary>Templates in the <c>message_templates</c> table (migration 0150), sharing the status store's connection pool.</summary>
/// <remarks>Thread-safe: each call takes its own pooled connection.</remarks>
public sealed class PostgresTemplateStore(PostgresStatusStore store) : ITemplateStore
{
    /// <inheritdoc />
    public async ValueTask<MessageTemplate?> GetAsync(string userId, string name, CancellationToken cancellationToken)
    {
        var found = await QueryAsync("SELECT name, text, tokens::text, updated_at FROM message_templates WHERE user_id = $1 AND name = $2",
            userId, name, cancellationToken).ConfigureAwait(false);
        return found.Count == 0 ? null : found[0];
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<MessageTemplate>> ListAsync(string userId, CancellationToken cancellationToken) =>
        await QueryAsync("SELECT name, text, tokens::text, updated_at FROM message_templates WHERE user_id = $1 ORDER BY name COLLATE \"C\"",
            userId, null, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public async ValueTask SaveAsync(MessageTemplate template, CancellationToken cancellationToken)
    {
        try
        {
            await using var cmd = store.DataSource.CreateCommand("""
                INSERT INTO message_templates (user_id, name, text, tokens, updated_at) VALUES ($1, $2, $3, $4, $5)
                ON CONFLICT (user_id, name) DO UPDATE SET text = EXCLUDED.text, tokens = EXCLUDED.tokens, updated_at = EXCLUDED.updated_at
                """);
            cmd.Parameters.AddWithValue(template.UserId);
            cmd.Parameters.AddWithValue(template.Name);
            cmd.Parameters.AddWithValue(template.Text);
            cmd.Parameters.AddWithValue(NpgsqlDbType.Jsonb, WriteTokens(template.Tokens));
            cmd.Parameters.AddWithValue(template.UpdatedAt);
            await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            throw new StatusStoreUnavailableException($"PostgreSQL templates: saving {template.UserId}/{template.Name} failed: {e.Message}", e);
        }
    }

    /// <inheritdoc />
    public async ValueTask<bool> DeleteAsync(string userId, string name, CancellationToken cancellationToken)
    {
        try
        {
            await using var cmd = store.DataSource.CreateCommand("DELETE FROM message_templates WHERE user_id = $1 AND name = $2");
            cmd.Parameters.AddWithValue(userId);
            cmd.Parameters.AddWithValue(name);
            return await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0;
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            throw new StatusStoreUnavailableException($"PostgreSQL templates: deleting {userId}/{name} failed: {e.Message}", e);
        }
    }

    private async ValueTask<List<MessageTemplate>> QueryAsync(string sql, string userId, string? name, CancellationToken cancellationToken)
    {
        try
        {
            await using var cmd = store.DataSource.CreateCommand(sql);
            cmd.Parameters.AddWithValue(userId);
            if (name is not null)
            {
                cmd.Parameters.AddWithValue(name);
            }

            var list = new List<MessageTemplate>();
            await using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                list.Add(new MessageTemplate(userId, reader.GetString(0), reader.GetString(1), ReadTokens(reader.GetString(2)),
                    reader.GetFieldValue<DateTimeOffset>(3)));
            }

            return list;
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            throw new StatusStoreUnavailableException($"PostgreSQL templates: reading {userId} failed: {e.Message}", e);
        }
    }

    private static string WriteTokens(IReadOnlyDictionary<string, TemplateToken> tokens)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            foreach (var (name, token) in tokens)
            {
                w.WriteStartObject(name);
                w.WriteString("type", TemplateToken.WireName(token.Type));
                w.WriteNumber("max_length", token.MaxLength);
                w.WriteEndObject();
            }

            w.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static Dictionary<string, TemplateToken> ReadTokens(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var tokens = new Dictionary<string, TemplateToken>(StringComparer.Ordinal);
        foreach (var p in doc.RootElement.EnumerateObject())
        {
            TemplateToken.TryParseType(p.Value.GetProperty("type").GetString(), out var type);
            tokens[p.Name] = new TemplateToken(type, p.Value.GetProperty("max_length").GetInt32());
        }

        return tokens;
    }
}
