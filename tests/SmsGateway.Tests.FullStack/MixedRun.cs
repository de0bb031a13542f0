using System.Collections.Concurrent;
using System.Net;
using Npgsql;

namespace SmsGateway.Tests.FullStack;

/// <summary>
/// A replay of mixed traffic through HTTP (several users; express and normal; Persian UCS-2 and Latin GSM-7 texts, some
/// multi-part; MCI, MTN and Rightel numbers) and the checks that every accepted message reached exactly one final
/// status and every user's ledger balances.
/// </summary>
public static class MixedRun
{
    private static readonly string[] Phones = ["09121234567", "09351234567", "09201234567", "+989191112233", "۰۹۳۶ ۱۲۳-۴۵۶۷"];
    private static readonly string[] Texts =
    [
        "کد تایید: 1234",
        "Your code is 5678",
        "سلام، پیام شما دریافت شد. " + new string('ا', 80), // 2 UCS-2 parts
        "Latin text with {extension} chars [ok] " + new string('x', 140), // 2 GSM-7 parts
    ];

    /// <summary>Charges each user, sends <paramref name="count"/> requests with <paramref name="concurrency"/> in flight; returns per-user accepted ids.</summary>
    public static async Task<(Dictionary<string, long> Charged, ConcurrentDictionary<string, ConcurrentBag<string>> Accepted)> SendAsync(
        GatewayApi api, string[] users, int count, int concurrency, long chargePerUser)
    {
        var charged = new Dictionary<string, long>();
        foreach (var user in users)
        {
            await api.ChargeAsync(user, chargePerUser);
            charged[user] = chargePerUser;
        }

        var accepted = new ConcurrentDictionary<string, ConcurrentBag<string>>();
        var failures = new ConcurrentBag<string>();
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (i, _) =>
        {
            var user = users[i % users.Length];
            // A well-behaved client: a 429 (admission control: the accept queue is over its time budget) or a 503 (a
            // dependency was slow or down, e.g. a cold Kafka producer's first publishes outlasting the 900-ms accept
            // deadline right after start), both "nothing charged, retry later", is sent again after a pause, as the load
            // tool's replay does; anything else that is not a 202 fails the run.
            var (status, body) = await api.SendAsync(user, Phones[i % Phones.Length], Texts[(i / 3) % Texts.Length], i % 4 == 0 ? "express" : "normal");
            for (int retry = 0; status is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable && retry < 50; retry++)
            {
                await Task.Delay(100 + Random.Shared.Next(100));
                (status, body) = await api.SendAsync(user, Phones[i % Phones.Length], Texts[(i / 3) % Texts.Length], i % 4 == 0 ? "express" : "normal");
            }

            if (status == HttpStatusCode.Accepted)
            {
                accepted.GetOrAdd(user, _ => []).Add(body.GetProperty("id").GetString()!);
            }
            else
            {
                failures.Add($"{status}: {body}");
            }
        });
        Assert.True(failures.IsEmpty, $"{failures.Count} of {count} sends were not accepted, e.g. {failures.FirstOrDefault()}");
        return (charged, accepted);
    }

    /// <summary>
    /// Waits until every accepted message is final, then checks per user: the report's counts equal a direct SQL count,
    /// each message has exactly one final event, available + reserved + spent == charged, reserved == 0, and spent is
    /// exactly the cost of the sent messages (failed ones were refunded). Returns how many failed in all.
    /// </summary>
    public static async Task<long> VerifyAsync(GatewayApi api, NpgsqlDataSource db, Dictionary<string, long> charged,
        IReadOnlyDictionary<string, ConcurrentBag<string>> accepted, TimeSpan timeout)
    {
        long failed = 0;
        foreach (var (user, total) in charged)
        {
            var ids = accepted.TryGetValue(user, out var bag) ? bag.ToArray() : [];
            var counts = await api.WaitForFinalAsync(user, ids.Length, timeout);

            // A send answered 503 after its reservation (the publish outlived the accept deadline) was withdrawn and is
            // reported "rejected" (MessageStatus 8): not one of the accepted messages, and never sent (checked below).
            Assert.Equal(ids.Length, counts.Values.Sum() - counts.GetValueOrDefault("rejected"));

            // Report == SQL (issue 6): current status per message, counted by PostgreSQL directly.
            await using (var command = db.CreateCommand("SELECT status, count(*) FROM messages WHERE user_id = $1 GROUP BY status"))
            {
                command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = user });
                await using var reader = await command.ExecuteReaderAsync();
                var sql = new Dictionary<int, long>();
                while (await reader.ReadAsync())
                {
                    sql[reader.GetInt16(0)] = reader.GetInt64(1);
                }

                // MessageStatus values (0001_initial.sql): 4 sent, 5 delivered, 6 undelivered, 7 failed.
                Assert.Equal(counts.GetValueOrDefault("sent"), sql.GetValueOrDefault(4));
                Assert.Equal(counts.GetValueOrDefault("failed"), sql.GetValueOrDefault(7));
                Assert.Equal(counts.Values.Sum(), sql.Values.Sum());
            }

            // Exactly one final event per accepted message: never both sent and failed, never sent twice.
            await using (var command = db.CreateCommand(
                "SELECT count(*) FILTER (WHERE n <> 1), count(*) FROM (SELECT m.id, count(e.*) FILTER (WHERE e.status IN (4, 7)) AS n " +
                "FROM messages m LEFT JOIN status_events e ON e.message_id = m.id WHERE m.user_id = $1 AND m.status <> 8 GROUP BY m.id) t"))
            {
                command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = user });
                await using var reader = await command.ExecuteReaderAsync();
                Assert.True(await reader.ReadAsync());
                var notExactlyOne = reader.GetInt64(0);
                var messages = reader.GetInt64(1);
                await reader.CloseAsync();
                Assert.True(notExactlyOne == 0, $"{notExactlyOne} of {messages} messages of {user} have not exactly one final event: " +
                    await FinalEventsOfOddMessagesAsync(db, user));
                Assert.Equal(ids.Length, messages);
            }

            await using (var command = db.CreateCommand(
                "SELECT count(*) FROM messages m WHERE m.user_id = $1 AND m.status = 8 AND EXISTS " +
                "(SELECT 1 FROM status_events e WHERE e.message_id = m.id AND e.status IN (4, 5, 6))"))
            {
                command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = user });
                Assert.Equal(0L, (long)(await command.ExecuteScalarAsync())!); // refused with a 503, yet sent: never
            }

            long sentCost;
            await using (var command = db.CreateCommand("SELECT coalesce(sum(cost), 0)::bigint FROM messages WHERE user_id = $1 AND status IN (4, 5, 6)"))
            {
                command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = user });
                sentCost = (long)(await command.ExecuteScalarAsync())!;
            }

            var balance = await api.BalanceAsync(user);
            Assert.Equal(total, balance.Total);
            Assert.Equal(0, balance.Reserved);
            Assert.Equal(sentCost, balance.Spent);
            Assert.True(balance.Available >= 0);
            failed += counts.GetValueOrDefault("failed");
        }

        return failed;
    }

    /// <summary>The event history (status@attempt) of up to 10 messages of the user without exactly one final event, for a failure message.</summary>
    private static async Task<string> FinalEventsOfOddMessagesAsync(NpgsqlDataSource db, string user)
    {
        await using var command = db.CreateCommand(
            "SELECT m.id, string_agg(e.status || '@' || e.attempt, ' ' ORDER BY e.at, e.attempt, e.status) FROM messages m " +
            "LEFT JOIN status_events e ON e.message_id = m.id WHERE m.user_id = $1 AND m.status <> 8 GROUP BY m.id " +
            "HAVING count(e.*) FILTER (WHERE e.status IN (4, 7)) <> 1 LIMIT 10");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = user });
        await using var reader = await command.ExecuteReaderAsync();
        var lines = new List<string>();
        while (await reader.ReadAsync())
        {
            lines.Add($"{reader.GetValue(0)}: {(reader.IsDBNull(1) ? "no events" : reader.GetString(1))}");
        }

        return string.Join("; ", lines);
    }
}
