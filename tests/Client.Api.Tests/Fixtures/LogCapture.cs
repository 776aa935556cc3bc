using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace OrleansAgents.Tests;

/// <summary>Every log line of a test host, with its level and category, for tests that search the logs.</summary>
internal sealed class LogCapture : ILoggerProvider
{
    public ConcurrentQueue<(LogLevel Level, string Category, string Line)> Entries { get; } = new();

    public IEnumerable<string> Lines => Entries.Select(e => e.Line);

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(LogCapture capture, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            capture.Entries.Enqueue((logLevel, category, $"{category} {formatter(state, exception)} {exception}"));
    }
}
