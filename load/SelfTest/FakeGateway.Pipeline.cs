using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using SmsGateway.Load.Api;
using SmsGateway.Load.Generation;

namespace SmsGateway.Load.SelfTest;

public sealed partial class FakeGateway
{
    private static readonly Dictionary<string, long> Prices = new() { ["MCI"] = 1150, ["MTN"] = 1150, ["Rightel"] = 1250 };

    private (int, object, bool) Send(string body)
    {
        JsonObject? o;
        try { o = JsonNode.Parse(body) as JsonObject; }
        catch (JsonException) { return Bad("body", "malformed JSON"); }
        if (o is null) return Bad("body", "expected an object");
        string? Str(string name) => o[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
        if (o["phone"] is not null && Str("phone") is null) return Bad("phone", "must be a string");
        var phone = Str("phone");
        var text = Str("text");
        var type = Str("type");
        var user = Str("user_id");
        if (string.IsNullOrEmpty(user)) return Bad("user_id", "required");
        if (phone is null) return Bad("phone", "required");
        var nsn = Normalise(phone);
        if (nsn is null) return Bad("phone", "not an Iranian mobile number");
        var op = PhoneFactory.Prefixes.FirstOrDefault(kv => kv.Value.Contains("0" + nsn[..3])).Key;
        if (op is null) return Bad("phone", "no route");
        if (string.IsNullOrEmpty(text)) return Bad("text", "required");
        var count = SegmentCount.Of(text);
        if (count.Segments > 10) return Bad("text", "more than 10 segments");
        if (type is not ("express" or "normal") && !(_faults.AcceptUnknownType && type is not null)) return Bad("type", "express or normal");
        var cost = count.Segments * Prices[op];
        var now = DateTimeOffset.UtcNow;
        var info = new MessageInfo
        {
            Id = Guid.CreateVersion7().ToString(), UserId = user, Phone = "+98" + nsn, Operator = op, Type = type, Segments = count.Segments,
            Encoding = count.Encoding, Cost = cost, Status = "queued", Attempt = 1, AcceptedAt = now, UpdatedAt = now,
        };
        var ledger = _ledgers.GetOrAdd(user, _ => new Ledger());
        bool reserved;
        lock (ledger)
        {
            reserved = ledger.Available >= cost;
            if (reserved) { ledger.Available -= cost; ledger.Reserved += cost; }
        }
        var m = new FakeMessage { Info = reserved ? info : info with { Status = "rejected", Cost = 0 } };
        m.History.Add(new HistoryEvent { Status = "accepted", Attempt = 1, At = now });
        m.History.Add(new HistoryEvent { Status = m.Info.Status, Attempt = 1, At = now });
        _messages[info.Id] = m;
        if (!reserved) return (402, new Problem { Title = "insufficient balance", Status = 402 }, true);
        _queue.Writer.TryWrite(info.Id);
        return (202, new SendAccepted { Id = info.Id, Status = "queued", Phone = info.Phone, Operator = op, Segments = count.Segments, Encoding = count.Encoding, Cost = cost }, false);
    }

    private static string? Normalise(string phone)
    {
        var sb = new StringBuilder();
        foreach (var c in phone)
        {
            if (c is ' ' or '-') continue;
            if (c is >= '\u06F0' and <= '\u06F9') sb.Append((char)('0' + (c - '\u06F0')));
            else if (c is >= '\u0660' and <= '\u0669') sb.Append((char)('0' + (c - '\u0660')));
            else sb.Append(c);
        }
        var s = sb.ToString();
        if (s.StartsWith("+98", StringComparison.Ordinal)) s = s[3..];
        else if (s.StartsWith("0098", StringComparison.Ordinal)) s = s[4..];
        else if (s.StartsWith("98", StringComparison.Ordinal) && s.Length == 12) s = s[2..];
        else if (s.StartsWith('0') && s.Length == 11) s = s[1..];
        return s.Length == 10 && s[0] == '9' && s.All(char.IsAsciiDigit) ? s : null;
    }

    private async Task WorkerAsync()
    {
        await foreach (var id in _queue.Reader.ReadAllAsync(_stop.Token).ConfigureAwait(false))
        {
            var m = _messages[id];
            double roll;
            lock (_rng) roll = _rng.NextDouble();
            lock (m)
            {
                var now = DateTimeOffset.UtcNow;
                var attempt = m.Info.Attempt;
                string status;
                if (roll < _faults.PermanentFailure || (roll < _faults.PermanentFailure + _faults.TransientFailure && attempt >= 4)) status = "failed";
                else if (roll < _faults.PermanentFailure + _faults.TransientFailure) status = "retrying";
                else status = "sent";
                m.Info = m.Info with { Status = status, UpdatedAt = now };
                m.History.Add(new HistoryEvent { Status = "sending", Attempt = attempt, At = now });
                m.History.Add(new HistoryEvent { Status = status, Attempt = attempt, At = now, ErrorCode = status == "sent" ? null : "E1" });
                var ledger = _ledgers[m.Info.UserId];
                lock (ledger)
                {
                    if (status == "sent") { ledger.Reserved -= m.Info.Cost; ledger.Spent += m.Info.Cost; }
                    if (status == "failed")
                    {
                        ledger.Reserved -= m.Info.Cost;
                        if (_faults.SkipRefund) ledger.Spent += m.Info.Cost; else ledger.Available += m.Info.Cost;
                    }
                }
                if (status == "retrying")
                {
                    m.Info = m.Info with { Attempt = attempt + 1 };
                    _queue.Writer.TryWrite(id);
                }
            }
        }
    }

    private ReportPage Report(string user, string? before, int limit)
    {
        var all = _messages.Values.Select(m => { lock (m) return m.Info; }).Where(i => i.UserId == user).OrderByDescending(i => i.Id, StringComparer.Ordinal).ToList();
        var counts = new[] { "accepted", "queued", "sending", "retrying", "sent", "delivered", "undelivered", "failed", "rejected" }.ToDictionary(s => s, s => (long)all.Count(i => i.Status == s));
        var page = all.Where(i => before is null || string.CompareOrdinal(i.Id, before) < 0).Take(Math.Clamp(limit, 1, 1000)).ToList();
        var next = page.Count == Math.Clamp(limit, 1, 1000) && all.Count(i => before is null || string.CompareOrdinal(i.Id, before) < 0) > page.Count ? page[^1].Id : null;
        return new ReportPage { UserId = user, Counts = counts, Messages = page, NextCursor = next };
    }
}
