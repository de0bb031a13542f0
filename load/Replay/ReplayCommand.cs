using System.CommandLine;
using SmsGateway.Load.Generation;

namespace SmsGateway.Load.Replay;

/// <summary>The <c>replay</c> command: replays a request file and prints the checks; exit code 1 when one fails.</summary>
public static class ReplayCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var input = new Option<FileInfo>("--input", "-i") { Description = "JSONL request file written by 'generate'", DefaultValueFactory = _ => new FileInfo("requests.jsonl") };
        var url = new Option<string>("--url") { Description = "Gateway base URL", DefaultValueFactory = _ => "http://127.0.0.1:7070" };
        var concurrency = new Option<int>("--concurrency", "-c") { Description = "Requests in flight", DefaultValueFactory = _ => 32 };
        var timeout = new Option<int>("--final-timeout") { Description = "Seconds to wait for every accepted message to be final", DefaultValueFactory = _ => 120 };
        var histories = new Option<int>("--history-checks") { Description = "Accepted messages whose /messages/{id} history is checked", DefaultValueFactory = _ => 20_000 };
        var apiKey = new Option<string>("--api-key") { Description = "Admin API key (default: env SMSGW_API_KEY; none for a host in open development mode)" };
        var tag = new Option<string>("--run-tag") { Description = "Prefix of user ids and idempotency keys (letters/digits; default random)", DefaultValueFactory = _ => "" };
        var cmd = new Command("replay", "Replay a request file against a running gateway, wait for final statuses, print the checks (exit 1 if one fails)")
        {
            input, url, concurrency, timeout, histories, tag, apiKey,
        };
        cmd.SetAction(async (parse, ct) =>
        {
            var options = new ReplayOptions
            {
                Url = WithSlash(new Uri(parse.GetValue(url)!)), Concurrency = parse.GetValue(concurrency), FinalTimeout = TimeSpan.FromSeconds(parse.GetValue(timeout)),
                HistoryChecks = parse.GetValue(histories), RunTag = parse.GetValue(tag) ?? "", ApiKey = parse.GetValue(apiKey),
            };
            try
            {
                var lines = await RequestFile.ReadAsync(parse.GetValue(input)!.FullName, ct).ConfigureAwait(false);
                var report = await new ReplayRunner(options, Console.Out).RunAsync(lines, ct).ConfigureAwait(false);
                report.Print(Console.Out);
                return report.Passed ? 0 : 1;
            }
            catch (Exception e) when (e is HttpRequestException or IOException or InvalidDataException)
            {
                await Console.Error.WriteLineAsync($"replay aborted: {e.Message}").ConfigureAwait(false);
                return 2;
            }
        });
        return cmd;
    }

    /// <summary>Makes sure relative paths resolve under the base URL.</summary>
    public static Uri WithSlash(Uri url) => url.AbsoluteUri.EndsWith('/') ? url : new Uri(url.AbsoluteUri + "/");
}
