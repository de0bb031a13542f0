namespace SmsGateway.Load.Replay;

public sealed partial class ReplayRunner
{
    private List<Check> Evaluate()
    {
        var all = _results.OrderBy(r => r.Line.Seq).ToList();
        var sends = all.Where(r => r.Line.Kind == "send").ToList();
        var bySeq = all.ToDictionary(r => r.Line.Seq);
        var acceptedIds = sends.Where(r => r.Outcome.Accepted is not null).Select(r => r.Outcome.Accepted!).GroupBy(a => a.Id).ToDictionary(g => g.Key, g => g.First());
        var checks = new List<Check>();

        checks.Add(Check.From("no 5xx or transport errors", $"{all.Count} requests, none 5xx",
            [.. all.Where(r => r.Outcome.StatusCode is 0 or >= 500).Select(r => $"line {r.Line.Seq}: {r.Outcome.StatusCode} {r.Outcome.Error ?? r.Outcome.Problem?.Reason()} (after {r.Throttled} throttled retries)")]));

        var invalid = all.Where(r => r.Line.IsInvalid).ToList();
        // A key sent twice may meet itself in flight: either copy may get 409 "in progress" while the other one is accepted.
        var repeatedKeys = sends.Where(r => r.Line.IdempotencyKey is not null).GroupBy(r => r.Line.IdempotencyKey!).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet();
        checks.Add(Check.From("invalid requests got 4xx problem details", $"{invalid.Count} invalid requests, all 4xx application/problem+json",
            [.. invalid.Where(r => r.Outcome.StatusCode is < 400 or > 499 or 402 || (r.Line.Kind == "send" && !r.Outcome.IsProblemJson))
                .Select(r => $"line {r.Line.Seq} ({r.Line.Reason}): {r.Outcome.StatusCode} problem+json={r.Outcome.IsProblemJson}")]));
        checks.Add(Check.From("problems name the offending field", "every problem names its field",
            [.. invalid.Where(r => r.Line.InvalidField is not null && r.Outcome.StatusCode is >= 400 and < 500 && r.Outcome.Problem?.NamesField(r.Line.InvalidField) != true)
                .Select(r => $"line {r.Line.Seq} ({r.Line.Reason}): expected '{r.Line.InvalidField}' in errors, got [{string.Join(", ", r.Outcome.Problem?.Errors?.Keys.ToArray() ?? [])}] {r.Outcome.Problem?.Title}")]));

        checks.Add(Check.From("valid requests accepted (202, or 402 when the balance ran out)", "every valid request was accepted or refused for balance",
            [.. all.Where(r => !r.Line.IsInvalid && (r.Line.Kind == "charge" ? r.Outcome.StatusCode != 200 : r.Outcome.StatusCode is not (202 or 402) && !(r.Outcome.StatusCode == 409 && r.Line.IdempotencyKey is { } k && repeatedKeys.Contains(k))))
                .Select(r => $"line {r.Line.Seq} ({r.Line.Reason ?? r.Line.Kind}): {r.Outcome.StatusCode} {r.Outcome.Problem?.Reason()}")]));

        var mismatches = new List<string>();
        var prices = new Dictionary<string, long>();
        foreach (var r in sends.Where(r => r.Outcome.Accepted is not null))
        {
            var a = r.Outcome.Accepted!;
            var l = r.Line;
            if (l.ExpectPhone is not null && a.Phone != l.ExpectPhone) mismatches.Add($"line {l.Seq}: phone {a.Phone}, expected {l.ExpectPhone} (sent '{l.Phone}')");
            if (l.ExpectOperator is not null && a.Operator != l.ExpectOperator) mismatches.Add($"line {l.Seq}: operator {a.Operator}, expected {l.ExpectOperator}");
            if (l.ExpectEncoding is not null && a.Encoding != l.ExpectEncoding) mismatches.Add($"line {l.Seq}: encoding {a.Encoding}, expected {l.ExpectEncoding}");
            if (l.ExpectSegments is not null && a.Segments != l.ExpectSegments) mismatches.Add($"line {l.Seq} ({l.Reason}): {a.Segments} segments, expected {l.ExpectSegments}");
            if (a.Segments <= 0 || a.Cost <= 0 || a.Cost % a.Segments != 0) mismatches.Add($"line {l.Seq}: cost {a.Cost} is not a positive multiple of {a.Segments} segments");
            else if (prices.TryGetValue(a.Operator, out var p) && p != a.Cost / a.Segments) mismatches.Add($"line {l.Seq}: {a.Operator} priced {a.Cost / a.Segments} per segment, earlier {p}");
            else prices[a.Operator] = a.Cost / a.Segments;
        }
        checks.Add(Check.From("202 answers match the expected phone, operator, encoding, segments, price", $"prices per segment: {string.Join(", ", prices.Select(p => $"{p.Key} {p.Value}"))}", mismatches));

        var dupFailures = new List<string>();
        foreach (var r in sends.Where(r => r.Line.DuplicateOf is not null))
        {
            var original = bySeq[r.Line.DuplicateOf!.Value].Outcome;
            var o = r.Outcome;
            if (o.Accepted is not null && original.Accepted is not null && o.Accepted.Id != original.Accepted.Id)
                dupFailures.Add($"line {r.Line.Seq}: id {o.Accepted.Id}, original line {r.Line.DuplicateOf} got {original.Accepted.Id}");
            else if ((o.StatusCode, original.StatusCode) is (202, 402) or (402, 202))
                dupFailures.Add($"line {r.Line.Seq}: {o.StatusCode}, original line {r.Line.DuplicateOf} got {original.StatusCode}");
        }
        checks.Add(Check.From("repeated Idempotency-Keys return the original message", $"{sends.Count(r => r.Line.DuplicateOf is not null)} repeats, no second message", dupFailures));

        checks.Add(FinalStatusCheck(acceptedIds));
        checks.AddRange(LedgerChecks(acceptedIds));
        checks.Add(ReportScopeCheck(sends, acceptedIds));
        return checks;
    }

    private Check FinalStatusCheck(Dictionary<string, Api.SendAccepted> accepted)
    {
        var failures = new List<string>(_reportDuplicates);
        var reported = _reports.Values.SelectMany(d => d).ToDictionary(kv => kv.Key, kv => kv.Value);
        foreach (var id in accepted.Keys)
        {
            if (!reported.TryGetValue(id, out var m)) { failures.Add($"{id}: accepted but missing from the report"); continue; }
            if (!Final.Contains(m.Status)) failures.Add($"{id}: still '{m.Status}' after {_options.FinalTimeout.TotalSeconds:F0} s");
        }
        foreach (var (id, detail) in _histories)
        {
            if (detail is null) { failures.Add($"{id}: GET /messages/{{id}} answered 404"); continue; }
            var terminal = detail.History.Where(h => h.Status is "sent" or "failed").ToList();
            if (terminal.Count != 1) failures.Add($"{id}: {terminal.Count} terminal events ({string.Join(",", detail.History.Select(h => h.Status))})");
            if (reported.TryGetValue(id, out var m) && m.Status != detail.Message.Status && Final.Contains(m.Status) && !(m.Status == "sent" && Charged.Contains(detail.Message.Status)))
                failures.Add($"{id}: report says {m.Status}, message says {detail.Message.Status}");
        }
        return Check.From("every accepted message reached exactly one final status",
            $"{accepted.Count} accepted, all final; {_histories.Count} histories with exactly one terminal event", failures);
    }

    private IEnumerable<Check> LedgerChecks(Dictionary<string, Api.SendAccepted> accepted)
    {
        var invariant = new List<string>();
        var spentFailures = new List<string>();
        var refundFailures = new List<string>();
        long refunded = 0, failedCount = 0;
        foreach (var (user, b) in _balances.OrderBy(kv => kv.Key))
        {
            var charged = _charged.GetValueOrDefault(user);
            if (b.Available + b.Reserved + b.Spent != charged || b.Reserved != 0 || b.Available < 0 || b.Spent < 0)
                invariant.Add($"{user}: available {b.Available} + reserved {b.Reserved} + spent {b.Spent} = {b.Available + b.Reserved + b.Spent}, charged {charged}");
            var items = _reports.GetValueOrDefault(user) ?? [];
            var sentCost = items.Values.Where(m => accepted.ContainsKey(m.Id) && Charged.Contains(m.Status)).Sum(m => accepted[m.Id].Cost);
            if (b.Spent != sentCost) spentFailures.Add($"{user}: spent {b.Spent}, sent messages cost {sentCost}");
            var failedCost = items.Values.Where(m => accepted.ContainsKey(m.Id) && m.Status == "failed").Sum(m => accepted[m.Id].Cost);
            failedCount += items.Values.Count(m => accepted.ContainsKey(m.Id) && m.Status == "failed");
            refunded += failedCost;
            if (b.Available != charged - sentCost) refundFailures.Add($"{user}: available {b.Available}, expected charged {charged} - sent {sentCost} (failed messages cost {failedCost})");
        }
        yield return Check.From("per user available + reserved + spent == charged, reserved == 0", $"{_balances.Count} users balanced", invariant);
        yield return Check.From("spent == sum of the costs of sent messages", $"{_balances.Values.Sum(b => b.Spent)} spent in total", spentFailures);
        yield return Check.From("failed messages refunded", $"{failedCount} failed messages, {refunded} refunded", refundFailures);
    }

    private Check ReportScopeCheck(List<LineResult> sends, Dictionary<string, Api.SendAccepted> accepted)
    {
        var failures = new List<string>();
        var refusedByUser = sends.Where(r => r.Outcome.StatusCode == 402 && r.UserId is not null).GroupBy(r => r.UserId!).ToDictionary(g => g.Key, g => g.ToList());
        foreach (var (user, items) in _reports)
        {
            var stray = items.Values.Where(m => !accepted.ContainsKey(m.Id) && m.Status != "rejected").ToList();
            failures.AddRange(stray.Select(m => $"{user}: message {m.Id} ({m.Status}, {m.Phone}) was never accepted"));
            var rejected = items.Values.Count(m => m.Status == "rejected");
            var refused = refusedByUser.GetValueOrDefault(user) ?? [];
            var atLeast = refused.Count(r => r.Line.DuplicateOf is null);
            if (rejected < atLeast || rejected > refused.Count)
                failures.Add($"{user}: {rejected} rejected messages reported, {refused.Count} answers were 402 ({atLeast} not repeats)");
            if (_firstPages.TryGetValue(user, out var page) && page.Counts.Values.Sum() != items.Count)
                failures.Add($"{user}: counts add up to {page.Counts.Values.Sum()}, the report lists {items.Count} messages");
        }
        return Check.From("invalid requests are not in reports; 402 refusals are reported as rejected; counts agree",
            $"{_reports.Values.Sum(d => d.Count)} reported messages, all accepted or rejected", failures);
    }

    private List<string> Counts()
    {
        var sends = _results.Where(r => r.Line.Kind == "send").ToList();
        var charges = _results.Where(r => r.Line.Kind == "charge").ToList();
        var statuses = _reports.Values.SelectMany(d => d.Values).GroupBy(m => m.Status).ToDictionary(g => g.Key, g => g.Count());
        var accepted = sends.Count(r => r.Outcome.StatusCode == 202);
        var lines = new List<string>
        {
            $"run tag {_tag}; {_results.Count} lines: {charges.Count} charges ({charges.Count(c => c.Outcome.StatusCode == 200)} ok, {charges.Count(c => c.Outcome.StatusCode is >= 400 and < 500)} 4xx), {sends.Count} sends",
            $"accepted (202): {accepted} ({sends.Where(r => r.Outcome.Accepted is not null).Select(r => r.Outcome.Accepted!.Id).Distinct().Count()} distinct messages)",
            $"refused for balance (402): {sends.Count(r => r.Outcome.StatusCode == 402)}",
            $"rejected 4xx: {sends.Count(r => r.Outcome.StatusCode is >= 400 and < 500 and not 402)}",
        };
        foreach (var g in sends.Where(r => r.Line.IsInvalid).GroupBy(r => r.Line.Reason?.Split(':')[0] ?? "?").OrderByDescending(g => g.Count()))
            lines.Add($"   {g.Key}: {g.Count()} ({string.Join(", ", g.GroupBy(r => r.Outcome.StatusCode).Select(s => $"{s.Count()}x {s.Key}"))})");
        foreach (var g in sends.Where(r => r.Outcome.StatusCode is >= 400 and < 500).GroupBy(r => $"{r.Outcome.StatusCode} {r.Outcome.Problem?.Title}").OrderByDescending(g => g.Count()))
            lines.Add($"   answered '{g.Key}': {g.Count()}");
        lines.Add($"final statuses: {string.Join(", ", new[] { "sent", "delivered", "undelivered", "failed", "rejected" }.Select(s => $"{s} {statuses.GetValueOrDefault(s)}"))}; not final: {statuses.Where(kv => !Final.Contains(kv.Key) && kv.Key != "rejected").Sum(kv => kv.Value)}");
        lines.Add($"retried (history has 'retrying'): {_histories.Values.Count(h => h?.History.Any(e => e.Status == "retrying") == true)} of {_histories.Count} checked");
        lines.Add($"throttled answers (429/503, retried): {_throttled}");
        lines.Add($"send phase: {_sendPhase.TotalSeconds:F2} s, {sends.Count / Math.Max(0.001, _sendPhase.TotalSeconds):F0} req/s, {accepted / Math.Max(0.001, _sendPhase.TotalSeconds):F0} accepted/s");
        lines.Add($"accept to all final: {_finalPhase.TotalSeconds:F2} s, {accepted / Math.Max(0.001, _finalPhase.TotalSeconds):F0} final/s");
        return lines;
    }
}
