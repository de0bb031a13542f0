using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using SmsGateway.Load.Api;
using SmsGateway.Load.Generation;

namespace SmsGateway.Load.Replay;

/// <summary>
/// Replays a request file against a running gateway (issue 2 "Done when"): charges first, then sends with bounded concurrency,
/// then waits until every accepted message is final, then checks ledgers, reports and histories. Not reusable across runs.
/// </summary>
public sealed partial class ReplayRunner(ReplayOptions options, TextWriter log)
{
    /// <summary>Final statuses after which the operator accepted the message (charged).</summary>
    public static readonly HashSet<string> Charged = ["sent", "delivered", "undelivered"];

    /// <summary>Final statuses (the message will not change any more, apart from sent → delivered/undelivered).</summary>
    public static readonly HashSet<string> Final = ["sent", "delivered", "undelivered", "failed"];

    private readonly ReplayOptions _options = options.Validate();
    private readonly string _tag = options.RunTag.Length > 0 ? options.RunTag : Convert.ToHexStringLower(Guid.NewGuid().ToByteArray())[..6];
    private readonly ConcurrentDictionary<string, long> _charged = new();
    private readonly ConcurrentBag<LineResult> _results = [];
    private readonly Dictionary<string, Dictionary<string, MessageInfo>> _reports = [];
    private readonly Dictionary<string, ReportPage> _firstPages = [];
    private readonly Dictionary<string, BalanceInfo> _balances = [];
    private readonly List<string> _reportDuplicates = [];
    private readonly ConcurrentDictionary<string, MessageDetail?> _histories = new();
    private TimeSpan _sendPhase, _finalPhase;
    private int _throttled;

    /// <summary>The user id a file-local id runs as.</summary>
    public string MapUser(string fileUser) => $"ld{_tag}{fileUser}";

    /// <summary>Runs the whole replay. Throws <see cref="HttpRequestException"/> when the gateway cannot be queried at all.</summary>
    public async Task<ReplayReport> RunAsync(IReadOnlyList<RequestLine> lines, CancellationToken ct)
    {
        using var client = new GatewayClient(_options.Url, _options.RequestTimeout, _options.Concurrency * 2, _options.ApiKey);
        await client.BalanceAsync(MapUser("probe"), ct).ConfigureAwait(false);   // fail fast when the gateway is not there
        log.WriteLine($"replaying {lines.Count} lines against {_options.Url} as run tag '{_tag}' with concurrency {_options.Concurrency}");

        await ChargeAsync(client, [.. lines.Where(l => l.Kind == "charge")], ct).ConfigureAwait(false);
        var sends = lines.Where(l => l.Kind == "send").ToList();
        var sw = Stopwatch.StartNew();
        await SendAllAsync(client, sends, ct).ConfigureAwait(false);
        _sendPhase = sw.Elapsed;
        log.WriteLine($"sent {sends.Count} requests in {_sendPhase.TotalSeconds:F1} s ({sends.Count / Math.Max(0.001, _sendPhase.TotalSeconds):F0} req/s); waiting for final statuses (timeout {_options.FinalTimeout.TotalSeconds:F0} s)");

        var accepted = AcceptedByUser();
        await WaitForFinalAsync(client, accepted, ct).ConfigureAwait(false);
        _finalPhase = sw.Elapsed;
        await SnapshotAsync(client, ct).ConfigureAwait(false);
        await FetchHistoriesAsync(client, accepted.Values.SelectMany(v => v).Take(_options.HistoryChecks).ToList(), ct).ConfigureAwait(false);
        return new ReplayReport(Evaluate(), Counts());
    }

    private async Task ChargeAsync(GatewayClient client, List<RequestLine> charges, CancellationToken ct)
    {
        await Parallel.ForEachAsync(charges, new ParallelOptions { MaxDegreeOfParallelism = Math.Min(8, _options.Concurrency), CancellationToken = ct }, async (line, token) =>
        {
            var user = MapUser(line.UserId ?? "");
            var (status, _, problem) = await client.ChargeAsync(user, line.Amount ?? "", token).ConfigureAwait(false);
            if (status == 200 && long.TryParse(line.Amount, NumberStyles.Integer, CultureInfo.InvariantCulture, out var amount))
                _charged.AddOrUpdate(user, amount, (_, v) => v + amount);
            _results.Add(new LineResult(line, user, new SendOutcome(status, null, problem, false, null, null), 0));
        }).ConfigureAwait(false);
        log.WriteLine($"charged {_charged.Count} users, {_charged.Values.Sum()} minor units in total");
    }

    private async Task SendAllAsync(GatewayClient client, List<RequestLine> sends, CancellationToken ct)
    {
        var done = 0;
        await Parallel.ForEachAsync(sends, new ParallelOptions { MaxDegreeOfParallelism = _options.Concurrency, CancellationToken = ct }, async (line, token) =>
        {
            var user = line.UserId is null ? null : MapUser(line.UserId);
            var key = line.IdempotencyKey is null ? null : $"{_tag}-{line.IdempotencyKey}";
            var throttled = 0;
            SendOutcome outcome;
            while (true)
            {
                outcome = line.RawBody is not null
                    ? await client.SendRawAsync(line.RawBody.Replace(RequestFile.UserPlaceholder, user ?? "", StringComparison.Ordinal), key, token).ConfigureAwait(false)
                    : await client.SendAsync(user, line.Phone, line.Text, line.Type, key, token).ConfigureAwait(false);
                if (!outcome.IsThrottled || throttled >= _options.MaxThrottleRetries) break;
                throttled++;
                Interlocked.Increment(ref _throttled);
                var wait = outcome.RetryAfter ?? TimeSpan.FromMilliseconds(100);
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Clamp(wait.TotalMilliseconds, 50, 2000)), token).ConfigureAwait(false);
            }
            _results.Add(new LineResult(line, user, outcome, throttled));
            var n = Interlocked.Increment(ref done);
            if (n % 2000 == 0) log.WriteLine($"  {n}/{sends.Count} sent");
        }).ConfigureAwait(false);
    }

    private Dictionary<string, List<string>> AcceptedByUser() =>
        _results.Where(r => r.Line.Kind == "send" && r.Outcome.Accepted is { Id.Length: > 0 } && r.UserId is not null)
            .GroupBy(r => r.UserId!)
            .ToDictionary(g => g.Key, g => g.Select(r => r.Outcome.Accepted!.Id).Distinct().ToList());

    private async Task WaitForFinalAsync(GatewayClient client, Dictionary<string, List<string>> accepted, CancellationToken ct)
    {
        var deadline = Stopwatch.StartNew();
        var pending = new HashSet<string>(accepted.Keys);
        var total = accepted.Values.Sum(v => v.Count);
        var lastPrint = TimeSpan.Zero;
        while (pending.Count > 0 && deadline.Elapsed < _options.FinalTimeout)
        {
            var notFinal = new ConcurrentDictionary<string, int>();
            await Parallel.ForEachAsync(pending, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (user, token) =>
            {
                var (items, _) = await ReadReportAsync(client, user, null, token).ConfigureAwait(false);
                notFinal[user] = accepted[user].Count(id => !items.TryGetValue(id, out var m) || !Final.Contains(m.Status));
            }).ConfigureAwait(false);
            foreach (var (user, count) in notFinal) if (count == 0) pending.Remove(user);
            if (pending.Count == 0) break;
            if (deadline.Elapsed - lastPrint > TimeSpan.FromSeconds(2))
            {
                lastPrint = deadline.Elapsed;
                log.WriteLine($"  {total - notFinal.Values.Sum()}/{total} final after {deadline.Elapsed.TotalSeconds:F0} s");
            }
            await Task.Delay(250, ct).ConfigureAwait(false);
        }
    }

    private async Task SnapshotAsync(GatewayClient client, CancellationToken ct)
    {
        var users = _results.Where(r => r.UserId is not null).Select(r => r.UserId!).Distinct().ToList();
        var gate = new object();
        await Parallel.ForEachAsync(users, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (user, token) =>
        {
            var dups = new List<string>();
            var (items, first) = await ReadReportAsync(client, user, dups, token).ConfigureAwait(false);
            var balance = await client.BalanceAsync(user, token).ConfigureAwait(false);
            lock (gate)
            {
                _reports[user] = items;
                _firstPages[user] = first;
                _balances[user] = balance;
                _reportDuplicates.AddRange(dups);
            }
        }).ConfigureAwait(false);
    }

    private async Task FetchHistoriesAsync(GatewayClient client, List<string> ids, CancellationToken ct)
    {
        if (ids.Count == 0) return;
        await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = _options.Concurrency, CancellationToken = ct }, async (id, token) =>
            _histories[id] = await client.MessageAsync(id, token).ConfigureAwait(false)).ConfigureAwait(false);
    }

    /// <summary>Reads every page of a user's report; ids seen twice go to <paramref name="duplicates"/>. Also returns the first page, whose
    /// counts cover all of the user's messages.</summary>
    private static async Task<(Dictionary<string, MessageInfo> Items, ReportPage First)> ReadReportAsync(GatewayClient client, string user, List<string>? duplicates, CancellationToken ct)
    {
        var items = new Dictionary<string, MessageInfo>();
        ReportPage? first = null;
        string? cursor = null;
        for (var page = 0; page < 100_000; page++)
        {
            var p = await client.ReportAsync(user, cursor, 1000, null, ct).ConfigureAwait(false);
            first ??= p;
            foreach (var m in p.Messages)
                if (!items.TryAdd(m.Id, m)) duplicates?.Add($"{user}: {m.Id} listed twice");
            if (p.NextCursor is null || p.Messages.Count == 0) break;
            cursor = p.NextCursor;
        }
        return (items, first!);
    }
}
