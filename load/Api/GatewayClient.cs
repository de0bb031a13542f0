using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace SmsGateway.Load.Api;

/// <summary>
/// A thin HTTP client for the gateway's API (DESIGN.md "HTTP API"). Thread-safe; one instance per run.
/// Network failures of <see cref="SendAsync"/> are returned as status 0, not thrown; the query calls throw <see cref="HttpRequestException"/> on non-success.
/// </summary>
public sealed class GatewayClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, System.Net.Http.Headers.AuthenticationHeaderValue> _clientKeys = new(StringComparer.Ordinal);

    /// <summary>Environment variable read when no API key is passed: <c>SMSGW_API_KEY</c>.</summary>
    public const string ApiKeyVariable = "SMSGW_API_KEY";

    /// <summary>
    /// Creates a client for <paramref name="baseUrl"/> (e.g. <c>http://127.0.0.1:7070</c>) that sends <c>Authorization: Bearer
    /// <paramref name="apiKey"/></c> (or the key in <see cref="ApiKeyVariable"/>; none in the gateway's open development mode).
    /// </summary>
    public GatewayClient(Uri baseUrl, TimeSpan timeout, int maxConnections = 1024, string? apiKey = null)
    {
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = maxConnections,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(2),
            UseProxy = false,
            AutomaticDecompression = DecompressionMethods.None,
        };
        _http = new HttpClient(handler) { BaseAddress = baseUrl, Timeout = timeout };
        apiKey = string.IsNullOrEmpty(apiKey) ? Environment.GetEnvironmentVariable(ApiKeyVariable) : apiKey;
        if (!string.IsNullOrEmpty(apiKey))
        {
            _http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", apiKey);
        }
    }

    /// <summary>POSTs a raw JSON body to <c>/send</c> with an optional <c>Idempotency-Key</c>.</summary>
    public Task<SendOutcome> SendRawAsync(string body, string? idempotencyKey, CancellationToken ct)
        => PostSendAsync(new StringContent(body, Encoding.UTF8, "application/json"), idempotencyKey, ct);

    /// <summary>POSTs a send request built from the given fields (null fields are omitted from the body). Called for every
    /// measured request: the body is serialized straight to UTF-8 bytes, without a node tree or an intermediate string.</summary>
    public Task<SendOutcome> SendAsync(string? userId, string? phone, string? text, string? type, string? idempotencyKey, CancellationToken ct)
    {
        var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(new SendBody(phone, text, type, userId), ApiJson.Options));
        content.Headers.ContentType = new("application/json") { CharSet = "utf-8" };
        return PostSendAsync(content, idempotencyKey, ct, userId);
    }

    /// <summary>
    /// Issues a client API key for <paramref name="userId"/> (<c>POST /accounts/{userId}/keys</c>, needs the admin key) and sends
    /// that user's messages with it from now on, so the gateway applies the account's limits.
    /// </summary>
    /// <exception cref="HttpRequestException">The gateway refused.</exception>
    public async Task UseClientKeyAsync(string userId, CancellationToken ct)
    {
        using var resp = await _http.PostAsync($"accounts/{Uri.EscapeDataString(userId)}/keys", content: null, ct).ConfigureAwait(false);
        resp.EnsureSuccessStatusCode();
        using var doc = await JsonDocument.ParseAsync(await resp.Content.ReadAsStreamAsync(ct).ConfigureAwait(false), cancellationToken: ct).ConfigureAwait(false);
        _clientKeys[userId] = new("Bearer", doc.RootElement.GetProperty("api_key").GetString());
    }

    private async Task<SendOutcome> PostSendAsync(HttpContent content, string? idempotencyKey, CancellationToken ct, string? userId = null)
    {
        using var req = new HttpRequestMessage(HttpMethod.Post, "send") { Content = content };
        if (userId is not null && _clientKeys.TryGetValue(userId, out var clientKey)) req.Headers.Authorization = clientKey;
        if (idempotencyKey is not null) req.Headers.TryAddWithoutValidation("Idempotency-Key", idempotencyKey);
        return await ExecuteAsync(req, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// POSTs one text to many phones as <c>POST /send/batch</c> (<c>{"phones","text","type","user_id"}</c>). Returns the HTTP status,
    /// the number of items the gateway queued, and the problem title or transport error of a failed request (status 0).
    /// </summary>
    public async Task<(int StatusCode, int Accepted, string? Error)> SendBatchAsync(string userId, IReadOnlyList<string> phones, string text, string type, CancellationToken ct)
    {
        var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(new BatchBody(phones, text, type, userId), ApiJson.Options));
        content.Headers.ContentType = new("application/json") { CharSet = "utf-8" };
        using var req = new HttpRequestMessage(HttpMethod.Post, "send/batch") { Content = content };
        if (_clientKeys.TryGetValue(userId, out var clientKey)) req.Headers.Authorization = clientKey;
        try
        {
            using var resp = await _http.SendAsync(req, ct).ConfigureAwait(false);
            var status = (int)resp.StatusCode;
            using var doc = await JsonDocument.ParseAsync(await resp.Content.ReadAsStreamAsync(ct).ConfigureAwait(false), cancellationToken: ct).ConfigureAwait(false);
            var accepted = doc.RootElement.TryGetProperty("accepted", out var a) && a.ValueKind == JsonValueKind.Number ? a.GetInt32() : 0;
            var title = doc.RootElement.TryGetProperty("title", out var t) ? t.GetString() : null;
            return (status, accepted, status == 202 ? null : title);
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            return (0, 0, $"{e.GetType().Name}: {e.Message}");
        }
    }

    /// <summary>The <c>/send/batch</c> body of one text to many phones.</summary>
    private sealed record BatchBody(IReadOnlyList<string> Phones, string Text, string Type, string UserId);

    /// <summary>The <c>/send</c> body; property order and snake_case names as the gateway documents them.</summary>
    private sealed record SendBody(string? Phone, string? Text, string? Type, string? UserId);

    /// <summary>POSTs <c>/charge/{userId}?amount=…</c>; the amount is passed as given so invalid amounts can be tried. The balance is in <see cref="SendOutcome"/>-style fields of the returned tuple.</summary>
    public async Task<(int StatusCode, BalanceInfo? Balance, Problem? Problem)> ChargeAsync(string userId, string amount, CancellationToken ct)
    {
        var url = $"charge/{Uri.EscapeDataString(userId)}?amount={Uri.EscapeDataString(amount)}";
        try
        {
            using var resp = await _http.PostAsync(url, content: null, ct).ConfigureAwait(false);
            var status = (int)resp.StatusCode;
            if (resp.IsSuccessStatusCode)
                return (status, await resp.Content.ReadFromJsonAsync<BalanceInfo>(ApiJson.Options, ct).ConfigureAwait(false), null);
            return (status, null, await ReadProblemAsync(resp, ct).ConfigureAwait(false));
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            return (0, null, new Problem { Title = e.GetType().Name, Detail = e.Message });
        }
    }

    /// <summary>GETs <c>/balance/{userId}</c>.</summary>
    public async Task<BalanceInfo> BalanceAsync(string userId, CancellationToken ct) =>
        await GetAsync<BalanceInfo>($"balance/{Uri.EscapeDataString(userId)}", ct).ConfigureAwait(false);

    /// <summary>GETs one page of <c>/report/{userId}</c> (newest first; <paramref name="before"/> is the keyset cursor; <paramref name="limit"/> ≤ 1000).</summary>
    public async Task<ReportPage> ReportAsync(string userId, string? before, int limit, string? status, CancellationToken ct)
    {
        var url = new StringBuilder($"report/{Uri.EscapeDataString(userId)}?limit={limit}");
        if (before is not null) url.Append("&before=").Append(Uri.EscapeDataString(before));
        if (status is not null) url.Append("&status=").Append(Uri.EscapeDataString(status));
        return await GetAsync<ReportPage>(url.ToString(), ct).ConfigureAwait(false);
    }

    /// <summary>GETs <c>/messages/{id}</c>; null when the gateway answers 404.</summary>
    public async Task<MessageDetail?> MessageAsync(string id, CancellationToken ct)
    {
        using var resp = await _http.GetAsync($"messages/{Uri.EscapeDataString(id)}", ct).ConfigureAwait(false);
        if (resp.StatusCode == HttpStatusCode.NotFound) return null;
        resp.EnsureSuccessStatusCode();
        return await resp.Content.ReadFromJsonAsync<MessageDetail>(ApiJson.Options, ct).ConfigureAwait(false);
    }

    /// <summary>GETs <c>/metrics</c> (Prometheus text); null when the gateway does not serve it or cannot be reached.</summary>
    public async Task<string?> MetricsTextAsync(CancellationToken ct)
    {
        try
        {
            using var resp = await _http.GetAsync("metrics", ct).ConfigureAwait(false);
            return resp.IsSuccessStatusCode ? await resp.Content.ReadAsStringAsync(ct).ConfigureAwait(false) : null;
        }
        catch (Exception e) when (e is HttpRequestException || (e is TaskCanceledException && !ct.IsCancellationRequested)) { return null; }
    }

    private async Task<T> GetAsync<T>(string url, CancellationToken ct)
    {
        using var resp = await _http.GetAsync(url, ct).ConfigureAwait(false);
        if (!resp.IsSuccessStatusCode)
            throw new HttpRequestException($"GET {url} answered {(int)resp.StatusCode}: {await resp.Content.ReadAsStringAsync(ct).ConfigureAwait(false)}", null, resp.StatusCode);
        return (await resp.Content.ReadFromJsonAsync<T>(ApiJson.Options, ct).ConfigureAwait(false))!;
    }

    private async Task<SendOutcome> ExecuteAsync(HttpRequestMessage req, CancellationToken ct)
    {
        req.Headers.TryAddWithoutValidation("Accept", "application/json");
        try
        {
            using var resp = await _http.SendAsync(req, ct).ConfigureAwait(false);
            var status = (int)resp.StatusCode;
            if (status == 202 || status == 200)
            {
                // The small body read whole, then parsed from its bytes: ReadFromJsonAsync's stream machinery and its
                // charset lookup took half of its 10 % of this client's CPU samples (bench/README.md "Small cuts: the
                // in-memory confirm, per-message recordings, the load client's read").
                var body = await resp.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
                var accepted = JsonSerializer.Deserialize<SendAccepted>(body, ApiJson.Options);
                return new SendOutcome(status, accepted, null, false, null, null);
            }
            var retryAfter = resp.Headers.RetryAfter is { } ra ? ra.Delta ?? (ra.Date is { } d ? d - DateTimeOffset.UtcNow : null) : null;
            var isProblem = resp.Content.Headers.ContentType?.MediaType == "application/problem+json";
            return new SendOutcome(status, null, await ReadProblemAsync(resp, ct).ConfigureAwait(false), isProblem, retryAfter, null);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            return new SendOutcome(0, null, null, false, null, $"{e.GetType().Name}: {e.Message}");
        }
    }

    private static async Task<Problem?> ReadProblemAsync(HttpResponseMessage resp, CancellationToken ct)
    {
        var text = await resp.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
        if (string.IsNullOrWhiteSpace(text)) return null;
        try { return JsonSerializer.Deserialize<Problem>(text, ApiJson.Options); }
        catch (JsonException) { return new Problem { Title = "unparseable body", Detail = text.Length > 200 ? text[..200] : text }; }
    }

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();
}
