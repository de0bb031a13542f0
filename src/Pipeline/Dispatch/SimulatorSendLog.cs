using System.Globalization;
using System.Text;
using SmsGateway.Model;

namespace SmsGateway.Dispatch;

/// <summary>
/// The operator simulator's record of every submit it answered, one line each, so crash and replay tests can count
/// operator sends per message across gateway restarts: <c>&lt;message id (N format)&gt; &lt;attempt&gt; &lt;A|T|P&gt; &lt;unix ms&gt;</c>
/// (A accepted, T transient failure, P permanent failure).
/// </summary>
/// <remarks>
/// Thread-safe. Each line is handed to the OS with one <c>write</c> (no user-space buffer), so it survives a kill -9 of
/// the gateway (not an OS crash). Several processes may append to one file: lines are written whole with O_APPEND.
/// </remarks>
internal sealed class SimulatorSendLog : IDisposable
{
    private readonly FileStream _file;
    private readonly Lock _gate = new();

    /// <summary>Opens (creating or appending to) <paramref name="path"/>.</summary>
    /// <exception cref="IOException">The file cannot be opened.</exception>
    public SimulatorSendLog(string path) =>
        _file = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);

    /// <summary>Appends one line for <paramref name="message"/>'s current attempt.</summary>
    public void Record(SmsMessage message, SendOutcome outcome)
    {
        var code = outcome switch { SendOutcome.Accepted => 'A', SendOutcome.TransientFailure => 'T', _ => 'P' };
        var line = string.Create(CultureInfo.InvariantCulture, $"{message.Id:N} {message.Attempt} {code} {DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}\n");
        var bytes = Encoding.ASCII.GetBytes(line);
        lock (_gate)
        {
            _file.Write(bytes);
        }
    }

    /// <inheritdoc />
    public void Dispose() => _file.Dispose();
}
