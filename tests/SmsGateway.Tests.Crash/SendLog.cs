using System.Globalization;

namespace SmsGateway.Tests.Crash;

/// <summary>
/// The operator simulator's send log (<c>Gateway:Simulator:SendLogPath</c>): one line per answered submit,
/// <c>&lt;id N&gt; &lt;attempt&gt; &lt;A|T|P&gt; &lt;unix ms&gt;</c>. Counts what the operator really accepted, across host lives.
/// </summary>
public sealed class SendLog
{
    private SendLog(Dictionary<Guid, int> accepted) => AcceptedSends = accepted;

    /// <summary>Submits the operator accepted, per message id.</summary>
    public IReadOnlyDictionary<Guid, int> AcceptedSends { get; }

    /// <summary>Reads the log at <paramref name="path"/> (an absent file is an empty log).</summary>
    public static SendLog Read(string path)
    {
        var accepted = new Dictionary<Guid, int>();
        if (!File.Exists(path))
        {
            return new SendLog(accepted);
        }

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        while (reader.ReadLine() is { } line)
        {
            var parts = line.Split(' ');
            if (parts.Length == 4 && parts[2] == "A" && Guid.TryParseExact(parts[0], "N", out var id))
            {
                accepted[id] = accepted.GetValueOrDefault(id) + 1;
            }
        }

        return new SendLog(accepted);
    }

    /// <summary>Operator sends of <paramref name="id"/>.</summary>
    public int SendsOf(Guid id) => AcceptedSends.GetValueOrDefault(id);

    /// <summary>Formats a count for the summary table.</summary>
    public static string Format(long n) => n.ToString("N0", CultureInfo.InvariantCulture);
}
