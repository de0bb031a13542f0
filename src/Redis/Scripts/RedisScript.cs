using System.Security.Cryptography;
using System.Text;
using StackExchange.Redis;

namespace SmsGateway.Redis;

/// <summary>
/// A Lua script called by its SHA-1 (<c>EVALSHA</c>, https://redis.io/commands/evalsha), sent whole only when the server
/// answers <c>NOSCRIPT</c> (after a restart or <c>SCRIPT FLUSH</c>); docs/architecture.md "Redis calls that fail".
/// </summary>
/// <remarks>
/// StackExchange.Redis's own <c>ScriptEvaluateAsync(string, …)</c> also ends up sending EVALSHA, but finds the hash by
/// looking the whole script text up in a table on every call, which hashes and compares the text each time (2 % of the
/// host's CPU in a full-stack run, bench/README.md "Where it stands"). Its <c>ScriptEvaluateAsync(byte[], …)</c> skips
/// that and is documented as not resilient to a server restart: the resend on <c>NOSCRIPT</c> here is the missing piece.
/// A <c>NOSCRIPT</c> reply means the script did not run, so sending it again cannot apply it twice. Immutable; thread-safe.
/// </remarks>
internal sealed class RedisScript
{
    /// <param name="text">The script's Lua source.</param>
    public RedisScript(string text)
    {
        Text = text;
        Hash = SHA1.HashData(Encoding.UTF8.GetBytes(text));
    }

    /// <summary>The Lua source.</summary>
    public string Text { get; }

    /// <summary>The SHA-1 of the UTF-8 source (20 bytes), as Redis names the script.</summary>
    public byte[] Hash { get; }

    /// <summary>Runs the script: EVALSHA, then EVAL with the text (which also loads it) if the server does not know it.</summary>
    /// <returns>The script's reply.</returns>
    /// <exception cref="RedisException">A server error other than <c>NOSCRIPT</c>, or a lost connection.</exception>
    /// <exception cref="TimeoutException">No answer within the connection's call limit.</exception>
    public async Task<RedisResult> EvaluateAsync(IDatabaseAsync database, RedisKey[] keys, RedisValue[] args)
    {
        try
        {
            return await database.ScriptEvaluateAsync(Hash, keys, args).ConfigureAwait(false);
        }
        catch (RedisServerException ex) when (ex.Message.StartsWith("NOSCRIPT", StringComparison.Ordinal))
        {
            return await database.ScriptEvaluateAsync(Text, keys, args).ConfigureAwait(false);
        }
    }
}
