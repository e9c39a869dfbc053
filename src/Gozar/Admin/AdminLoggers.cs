using Microsoft.Extensions.Logging;

namespace Gozar.Admin;

/// <summary>
/// Gozar's own loggers for the admin listener, with ASP.NET Core's categories held to warnings: its information
/// lines log every request with its path, and paths carry user names. The host's own line for a listener it could not
/// bind is dropped too: <see cref="AdminServer.StartAsync"/> returns that failure as one line naming admin.listen, and
/// the host's is a multi-line stack trace in front of it.
/// </summary>
internal sealed class AdminLoggers(ILoggerFactory inner) : ILoggerFactory
{
    private const string FrameworkPrefix = "Microsoft.";
    private const string HostCategory = "Microsoft.Extensions.Hosting.Internal.Host";

    public ILogger CreateLogger(string categoryName)
    {
        var logger = inner.CreateLogger(categoryName);
        return categoryName.StartsWith(FrameworkPrefix, StringComparison.Ordinal)
            ? new WarningsOnly(logger, categoryName == HostCategory)
            : logger;
    }

    public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

    // The factory belongs to the caller, who disposes it.
    public void Dispose()
    {
    }

    private sealed class WarningsOnly(ILogger inner, bool isHost) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning && inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel) && !(isHost && exception is IOException))
            {
                inner.Log(logLevel, eventId, state, exception, formatter);
            }
        }
    }
}
