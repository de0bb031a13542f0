using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using SmsGateway.Load.Api;
using SmsGateway.Load.Generation;

namespace SmsGateway.Load.SelfTest;

/// <summary>
/// A tiny in-process stand-in for the gateway's HTTP API (HttpListener on a loopback port), used only by the self-test while the real host is not here.
/// It validates, routes, prices, reserves, sends through a simulated operator with transient/permanent failures and retries, refunds, and reports.
/// </summary>
public sealed partial class FakeGateway : IAsyncDisposable
{
    private HttpListener _listener = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Channel<string> _queue = Channel.CreateBounded<string>(200_000);
    private readonly ConcurrentDictionary<string, Ledger> _ledgers = new();
    private readonly ConcurrentDictionary<string, FakeMessage> _messages = new();
    private readonly ConcurrentDictionary<string, Lazy<(int, object)>> _idempotency = new();
    private readonly FakeFaults _faults;
    private readonly Random _rng = new(7);
    private readonly Task _accept, _worker;
    private readonly SemaphoreSlim _serial = new(1, 1);

    private sealed class Ledger { public long Available, Reserved, Spent; }

    private sealed class FakeMessage
    {
        public required MessageInfo Info;
        public readonly List<HistoryEvent> History = [];
    }

    /// <summary>Starts listening on a free loopback port.</summary>
    public FakeGateway(FakeFaults faults, int port = 0)
    {
        _faults = faults;
        var fixedPort = port;
        for (var attempt = 0; ; attempt++)
        {
            port = fixedPort > 0 ? fixedPort : Random.Shared.Next(20_000, 60_000);
            try
            {
                _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
                _listener.Start();
                Url = new Uri($"http://127.0.0.1:{port}/");
                break;
            }
            catch (HttpListenerException) when (attempt < 20 && fixedPort == 0)
            {
                // A failed Start (the port taken) leaves the listener disposed: the next port needs a new one.
                _listener = new HttpListener();
            }
        }
        _accept = Task.Run(AcceptLoopAsync);
        _worker = Task.Run(WorkerAsync);
    }

    /// <summary>Base URL of the fake (with a trailing slash).</summary>
    public Uri Url { get; private set; } = null!;

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext ctx;
            try { ctx = await _listener.GetContextAsync().ConfigureAwait(false); }
            catch (Exception) when (_stop.IsCancellationRequested) { return; }
            catch (HttpListenerException) { return; }
            _ = Task.Run(() => HandleAsync(ctx));
        }
    }

    private async Task HandleAsync(HttpListenerContext ctx)
    {
        try
        {
            var (status, body, problem) = await RouteAsync(ctx.Request).ConfigureAwait(false);
            ctx.Response.StatusCode = status;
            ctx.Response.ContentType = problem ? "application/problem+json" : "application/json";
            var bytes = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(body, ApiJson.Options));
            ctx.Response.ContentLength64 = bytes.Length;
            ctx.Response.Close(bytes, willBlock: false);   // headers and body in one write (avoids a Nagle/delayed-ACK stall)
            return;
        }
        catch (Exception e)
        {
            try
            {
                ctx.Response.StatusCode = 500;
                await ctx.Response.OutputStream.WriteAsync(Encoding.UTF8.GetBytes(e.ToString())).ConfigureAwait(false);
                ctx.Response.Close();
            }
            catch (Exception) { ctx.Response.Abort(); }
        }
    }

    private async Task<(int, object, bool)> RouteAsync(HttpListenerRequest req)
    {
        var parts = req.Url!.AbsolutePath.Trim('/').Split('/');
        var q = req.QueryString;
        switch (req.HttpMethod, parts[0])
        {
            case ("POST", "send"):
                using (var reader = new StreamReader(req.InputStream, Encoding.UTF8))
                {
                    var text = await reader.ReadToEndAsync().ConfigureAwait(false);
                    if (_faults.SendDelayMs > 0) await Task.Delay(_faults.SendDelayMs).ConfigureAwait(false);
                    if (_faults.SerializeSendsMs > 0)
                    {
                        await _serial.WaitAsync().ConfigureAwait(false);
                        try { Thread.Sleep(_faults.SerializeSendsMs); } finally { _serial.Release(); }
                    }
                    var key = req.Headers["Idempotency-Key"];
                    if (key is null) return Send(text);
                    var (s, b) = _idempotency.GetOrAdd(key, _ => new Lazy<(int, object)>(() => { var (s1, b1, _) = Send(text); return (s1, b1); })).Value;
                    return (s, b, s >= 400);
                }
            case ("POST", "charge"):
                if (!long.TryParse(q["amount"], out var amount) || amount <= 0) return Bad("amount", "must be a positive integer");
                var l = _ledgers.GetOrAdd(parts[1], _ => new Ledger());
                lock (l) l.Available += amount;
                return (200, Balance(parts[1]), false);
            case ("GET", "balance"): return (200, Balance(parts[1]), false);
            case ("GET", "report"): return (200, Report(parts[1], q["before"], int.TryParse(q["limit"], out var lim) ? lim : 100), false);
            case ("GET", "messages"):
                if (!_messages.TryGetValue(parts[1], out var m)) return (404, new Problem { Title = "not found", Status = 404 }, true);
                lock (m) return (200, new MessageDetail { Message = m.Info, History = [.. m.History] }, false);
            default: return (404, new Problem { Title = "not found", Status = 404 }, true);
        }
    }

    private BalanceInfo Balance(string user)
    {
        var l = _ledgers.GetOrAdd(user, _ => new Ledger());
        lock (l) return new BalanceInfo { UserId = user, Available = l.Available, Reserved = l.Reserved, Spent = l.Spent };
    }

    private static (int, object, bool) Bad(string field, string message) =>
        (400, new Problem { Title = "invalid request", Status = 400, Errors = new() { [field] = [message] } }, true);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        _queue.Writer.TryComplete();
        try { await Task.WhenAll(_accept, _worker).ConfigureAwait(false); } catch (OperationCanceledException) { }
        _listener.Close();
        _stop.Dispose();
    }
}
