using Gozar.Configuration;
using Microsoft.Extensions.Logging;

namespace Gozar.Cli;

public static class Logging
{
    public static ILoggerFactory CreateFactory(LogLevelOption level) => LoggerFactory.Create(builder => builder
        .SetMinimumLevel(level switch
        {
            LogLevelOption.Trace => LogLevel.Trace,
            LogLevelOption.Debug => LogLevel.Debug,
            LogLevelOption.Warning => LogLevel.Warning,
            LogLevelOption.Error => LogLevel.Error,
            _ => LogLevel.Information,
        })
        .AddSimpleConsole(console =>
        {
            console.SingleLine = true;
            console.TimestampFormat = "yyyy-MM-dd HH:mm:ss ";
            console.UseUtcTimestamp = true;
        }));
}
