using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace SwfServerless.Api.Tests;

/// <summary>Keeps what the app logs at <paramref name="minimum"/> and above (the app's own log level filters apply first).</summary>
public sealed class LogCapture(LogLevel minimum = LogLevel.Warning) : ILoggerProvider
{
    public sealed record Entry(string Category, LogLevel Level, string Text, Exception? Exception)
    {
        public override string ToString() => $"{Level} {Category}: {Text}{(Exception is null ? "" : "\n  " + Exception)}";
    }

    public ConcurrentQueue<Entry> Entries { get; } = new();

    public LogLevel Minimum => minimum;

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose() { }

    private sealed class Logger(LogCapture capture, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => logLevel >= capture.Minimum;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel)) return;
            // The message as written, and every structured value behind it (what a structured sink would store).
            var text = formatter(state, exception);
            if (state is IEnumerable<KeyValuePair<string, object?>> values)
                text += " | " + string.Join("; ", values.Select(v => $"{v.Key}={v.Value}"));
            capture.Entries.Enqueue(new Entry(category, logLevel, text, exception));
        }
    }
}
