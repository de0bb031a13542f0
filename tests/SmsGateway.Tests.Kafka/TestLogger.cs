using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace SmsGateway.Tests.Kafka;

/// <summary>Writes log lines to the xunit output of one test (with milliseconds since creation).</summary>
internal sealed class TestLoggerFactory(ITestOutputHelper output, LogLevel minimum = LogLevel.Information) : ILoggerFactory, ILogger
{
    private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public ILogger CreateLogger(string categoryName) => this;

    public void Dispose()
    {
    }

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= minimum;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel))
        {
            return;
        }

        try
        {
            output.WriteLine($"{_clock.ElapsedMilliseconds,6} {logLevel}: {formatter(state, exception)}{(exception is null ? string.Empty : " " + exception)}");
        }
        catch (InvalidOperationException)
        {
            // the test already finished
        }
    }
}
