using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace SmsGateway.Tests.Redis;

/// <summary>Keeps the event ids of every log entry, to assert that a code path ran.</summary>
public sealed class RecordingLoggerFactory : ILoggerFactory, ILogger
{
    public ConcurrentQueue<EventId> Events { get; } = new();

    public ILogger CreateLogger(string categoryName) => this;

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        => Events.Enqueue(eventId);
}
