using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Gozar.Tests.Infrastructure;

/// <summary>Keeps every formatted log line, at every level, so tests can read what an operator would see.</summary>
public sealed class CapturingLoggerProvider : ILoggerProvider, ILoggerFactory
{
    private readonly ConcurrentQueue<(string Text, TaskCompletionSource Logged)> _waits = new();

    public ConcurrentQueue<string> Lines { get; } = new();

    /// <summary>Completes once a line containing <paramref name="text"/> was logged (already, or from now on).</summary>
    public Task WaitForLineAsync(string text)
    {
        var logged = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _waits.Enqueue((text, logged));
        if (Lines.Any(l => l.Contains(text, StringComparison.Ordinal)))
        {
            logged.TrySetResult();
        }

        return logged.Task;
    }

    public string Text => string.Join('\n', Lines);

    public ILogger CreateLogger(string categoryName) => new CapturingLogger(this);

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    private sealed class CapturingLogger(CapturingLoggerProvider owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var line = $"{logLevel}: {formatter(state, exception)} {exception}";
            owner.Lines.Enqueue(line);
            foreach (var (text, logged) in owner._waits)
            {
                if (line.Contains(text, StringComparison.Ordinal))
                {
                    logged.TrySetResult();
                }
            }
        }
    }
}
