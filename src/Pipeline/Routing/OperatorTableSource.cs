using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace SmsGateway.Routing;

/// <summary>
/// Holds the current <see cref="OperatorTable"/>. Built from a file, it reloads when the file changes; an invalid new file
/// keeps the old table and logs why.
/// </summary>
/// <remarks>Thread-safe: <see cref="Current"/> is swapped atomically; readers never see a half-built table.</remarks>
public sealed partial class OperatorTableSource : IDisposable
{
    private readonly string? _path;
    private readonly ILogger _logger;
    private readonly FileSystemWatcher? _watcher;
    private readonly Timer? _debounce;
    private volatile OperatorTable _current;

    /// <summary>A fixed table that never reloads (library users and tests).</summary>
    public OperatorTableSource(OperatorTable table)
    {
        _current = table;
        _logger = NullLogger.Instance;
    }

    /// <summary>Loads <paramref name="path"/> and watches it for changes.</summary>
    /// <exception cref="OperatorTableException">The file is missing or invalid at start-up.</exception>
    public OperatorTableSource(string path, ILogger<OperatorTableSource>? logger = null)
    {
        _path = Path.GetFullPath(path);
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _current = OperatorTable.Load(_path);
        _debounce = new Timer(_ => Reload(), null, Timeout.Infinite, Timeout.Infinite);
        _watcher = new FileSystemWatcher(Path.GetDirectoryName(_path)!, Path.GetFileName(_path))
        {
            NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.FileName | NotifyFilters.CreationTime,
        };
        _watcher.Changed += (_, _) => _debounce.Change(200, Timeout.Infinite);
        _watcher.Created += (_, _) => _debounce.Change(200, Timeout.Infinite);
        _watcher.Renamed += (_, _) => _debounce.Change(200, Timeout.Infinite);
        _watcher.EnableRaisingEvents = true;
    }

    /// <summary>
    /// Extra checks a reloaded table must pass before it replaces the current one (for example that every
    /// <c>connection.type</c> has a client). A check throws <see cref="OperatorTableException"/> naming the key.
    /// </summary>
    public event Action<OperatorTable>? Validating;

    /// <summary>Raised after a successful reload, on a thread-pool thread.</summary>
    public event Action<OperatorTable>? Reloaded;

    /// <summary>The table in force.</summary>
    public OperatorTable Current => _current;

    /// <summary>Re-reads the file now; keeps the old table when the new one is invalid. Returns true on success.</summary>
    public bool Reload()
    {
        if (_path is null)
        {
            return false;
        }

        try
        {
            var table = OperatorTable.Load(_path);
            Validating?.Invoke(table);
            _current = table;
            LogReloaded(_path, table.Operators.Count);
            Reloaded?.Invoke(table);
            return true;
        }
        catch (OperatorTableException ex)
        {
            LogReloadFailed(_path, ex.Message);
            return false;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _watcher?.Dispose();
        _debounce?.Dispose();
    }

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Reloaded operator table {Path}: {Count} operators")]
    private partial void LogReloaded(string path, int count);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Error, Message = "Operator table {Path} is invalid; keeping the previous table: {Reason}")]
    private partial void LogReloadFailed(string path, string reason);
}
