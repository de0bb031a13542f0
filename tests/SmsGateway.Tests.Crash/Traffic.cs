using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace SmsGateway.Tests.Crash;

/// <summary>
/// Open-model <c>/send</c> traffic at a fixed rate, as a customer's clients send it: every request has its own timeout,
/// and a request without an answer is not retried. Records what each request got, so the reconciliation can check that a
/// 202 became exactly one final status and that a 4xx/5xx changed nothing. With <see cref="BatchSize"/> set, each request
/// is a <c>POST /send/batch</c> of that many phones, and every figure counts messages.
/// </summary>
public sealed class Traffic
{
    private static readonly string[] Phones = ["09121234567", "09351234567", "09201234567", "09901234567", "09031234567"];
    private readonly ConcurrentBag<AcceptedSend> _accepted = [];
    private readonly ConcurrentDictionary<string, int> _refused = new();
    private readonly ConcurrentQueue<double> _answerMs = new();
    private readonly ConcurrentQueue<(long Start, long End, bool Dropped)> _unanswered = new();
    private int _seq;
    private long _unknown;
    private long _notSent;
    private long _missingRetryAfter;

    /// <summary>Phones per request, sent as one <c>POST /send/batch</c>; 0 (the default) sends single <c>/send</c> requests.</summary>
    public int BatchSize { get; init; }

    /// <summary>Messages answered 202 (a batch item with an id counts as one): id and user.</summary>
    public IReadOnlyCollection<AcceptedSend> Accepted => _accepted;

    /// <summary>Refusals by HTTP status code (e.g. "402", "429", "503"); a refused item of a batch counts under its problem's status.</summary>
    public IReadOnlyDictionary<string, int> Refused => _refused;

    /// <summary>Messages of requests without an answer (timeout, reset, refused connection): their outcome is unknown to the client.</summary>
    public long Unknown => Interlocked.Read(ref _unknown);

    /// <summary>Requests not sent because too many were outstanding (the client's own bound).</summary>
    public long NotSent => Interlocked.Read(ref _notSent);

    /// <summary>429/503 answers without a <c>Retry-After</c> header.</summary>
    public long MissingRetryAfter => Interlocked.Read(ref _missingRetryAfter);

    /// <summary>Percentile <paramref name="p"/> (0..1) of the answer time of requests that got an HTTP answer, in ms; 0 when none did.</summary>
    public double AnswerMs(double p)
    {
        var sorted = _answerMs.Order().ToArray();
        return sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];
    }

    /// <summary>202 answers that arrived after <paramref name="timestamp"/> (<see cref="Stopwatch.GetTimestamp"/>).</summary>
    public int AcceptedAfter(long timestamp) => _accepted.Count(a => a.AnsweredAt > timestamp);

    /// <summary>
    /// Requests in flight at <paramref name="timestamp"/> (<see cref="Stopwatch.GetTimestamp"/>) that the server dropped
    /// (connection reset or closed before the answer), as opposed to ones that ran into the client's own timeout or never
    /// got a connection (listener closed).
    /// </summary>
    public int DroppedInFlightAt(long timestamp) => _unanswered.Count(u => u.Dropped && u.Start < timestamp && u.End >= timestamp);

    /// <summary>
    /// Sends one request per user, one at a time, each repeated until it is answered 202 (the 202s count as traffic): the
    /// gateway serves <c>/send</c> end to end before a case starts its clock.
    /// </summary>
    /// <exception cref="TimeoutException">Not every user got a 202 within <paramref name="timeout"/>.</exception>
    public async Task WarmUpAsync(HttpClient client, IReadOnlyList<string> users, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        foreach (var user in users)
        {
            while (await SendOneAsync(client, user, Interlocked.Increment(ref _seq)) != HttpStatusCode.Accepted)
            {
                if (clock.Elapsed > timeout)
                {
                    throw new TimeoutException($"the gateway answered no /send for {user} with 202 within {timeout} (refusals: {string.Join(" ", _refused)}, no answer: {Unknown})");
                }

                await Task.Delay(200);
            }
        }
    }

    /// <summary>Answers with a 5xx other than 503 (always a defect).</summary>
    public int ServerErrors => _refused.Where(kv => kv.Key.StartsWith('5') && kv.Key != "503").Sum(kv => kv.Value);

    /// <summary>Sends at <paramref name="ratePerSecond"/> for <paramref name="duration"/> to users <paramref name="users"/>, round robin.</summary>
    /// <param name="client">Client of the gateway port; its timeout is each request's timeout.</param>
    /// <param name="users">User ids (already charged).</param>
    /// <param name="ratePerSecond">Arrival rate.</param>
    /// <param name="duration">How long to send.</param>
    /// <param name="maxOutstanding">Requests in flight at most; arrivals beyond it are counted in <see cref="NotSent"/>.</param>
    public async Task RunAsync(HttpClient client, IReadOnlyList<string> users, int ratePerSecond, TimeSpan duration, int maxOutstanding = 2000)
    {
        using var stop = new CancellationTokenSource(duration);
        await RunAsync(client, users, ratePerSecond, stop.Token, maxOutstanding);
    }

    /// <summary>Sends at <paramref name="ratePerSecond"/> until <paramref name="stop"/> is cancelled, then waits for the answers.</summary>
    /// <param name="client">Client of the gateway port; its timeout is each request's timeout.</param>
    /// <param name="users">User ids (already charged).</param>
    /// <param name="ratePerSecond">Arrival rate.</param>
    /// <param name="stop">Cancelled when no more requests should start.</param>
    /// <param name="maxOutstanding">Requests in flight at most; arrivals beyond it are counted in <see cref="NotSent"/>.</param>
    public async Task RunAsync(HttpClient client, IReadOnlyList<string> users, int ratePerSecond, CancellationToken stop, int maxOutstanding = 2000)
    {
        var inFlight = new ConcurrentDictionary<int, Task>();
        var clock = Stopwatch.StartNew();
        long issued = 0;
        while (!stop.IsCancellationRequested)
        {
            var due = (long)(clock.Elapsed.TotalSeconds * ratePerSecond);
            for (; issued < due; issued++)
            {
                if (inFlight.Count >= maxOutstanding)
                {
                    Interlocked.Increment(ref _notSent);
                    continue;
                }

                var n = Interlocked.Increment(ref _seq);
                var task = SendOneAsync(client, users[n % users.Count], n);
                inFlight[n] = task;
                _ = task.ContinueWith(_ => inFlight.TryRemove(n, out Task? _), TaskScheduler.Default);
            }

            await Task.Delay(5);
        }

        await Task.WhenAll(inFlight.Values);
    }

    // The answer's status code; null when the request got no answer.
    private async Task<HttpStatusCode?> SendOneAsync(HttpClient client, string user, int n)
    {
        var text = n % 4 == 0 ? "کد تایید شما " + n : "Your code is " + n;
        var type = n % 3 == 0 ? "express" : "normal";
        var body = BatchSize == 0
            ? JsonSerializer.Serialize(new Dictionary<string, string> { ["phone"] = Phones[n % Phones.Length], ["text"] = text, ["type"] = type, ["user_id"] = user })
            : JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["phones"] = Enumerable.Range(n, BatchSize).Select(k => Phones[k % Phones.Length]).ToArray(),
                ["text"] = text,
                ["type"] = type,
                ["user_id"] = user,
            });
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var content = new StringContent(body, Encoding.UTF8, "application/json");
            using var response = await client.PostAsync(BatchSize == 0 ? "/send" : "/send/batch", content);
            _answerMs.Enqueue(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            if (response.StatusCode == HttpStatusCode.Accepted)
            {
                var json = await response.Content.ReadFromJsonAsync<JsonElement>();
                if (BatchSize == 0)
                {
                    _accepted.Add(new AcceptedSend(json.GetProperty("id").GetString()!, user, Stopwatch.GetTimestamp()));
                    return response.StatusCode;
                }

                foreach (var item in json.GetProperty("results").EnumerateArray())
                {
                    if (item.TryGetProperty("id", out var id))
                    {
                        _accepted.Add(new AcceptedSend(id.GetString()!, user, Stopwatch.GetTimestamp()));
                    }
                    else
                    {
                        var status = item.GetProperty("problem").GetProperty("status").GetInt32();
                        _refused.AddOrUpdate(status.ToString(System.Globalization.CultureInfo.InvariantCulture), 1, (_, c) => c + 1);
                    }
                }

                return response.StatusCode;
            }

            _refused.AddOrUpdate(((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture), Math.Max(1, BatchSize), (_, c) => c + Math.Max(1, BatchSize));
            if (response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable && response.Headers.RetryAfter is null)
            {
                Interlocked.Increment(ref _missingRetryAfter);
            }

            return response.StatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException or SocketException)
        {
            Interlocked.Add(ref _unknown, Math.Max(1, BatchSize));
            // dropped by the server: the request reached it (a connection was made) and the answer never came; a refused
            // connection (the listener is closed) or the client's own timeout is not a drop
            var dropped = e is IOException || e is HttpRequestException { HttpRequestError: not HttpRequestError.ConnectionError };
            _unanswered.Enqueue((started, Stopwatch.GetTimestamp(), dropped));
            return null;
        }
    }
}

/// <summary>A 202 answer (or an accepted item of a batch): the message id, its user and when it arrived (<see cref="Stopwatch.GetTimestamp"/>).</summary>
public readonly record struct AcceptedSend(string Id, string User, long AnsweredAt);
