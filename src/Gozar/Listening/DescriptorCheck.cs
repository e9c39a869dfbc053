using Gozar.Configuration;
using Gozar.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Gozar.Listening;

/// <summary>
/// Warns at start when the process may open fewer files than the configured connections need: each relayed client
/// holds two sockets (client and DC or mask site), and running out makes accepts fail for everyone.
/// </summary>
public static class DescriptorCheck
{
    private const int Reserve = 64;

    public static int Needed(LimitOptions limits) => (limits.MaxConnections * 2) + limits.MaxMaskPreconnects + Reserve;

    public static void WarnIfTooFew(LimitOptions limits, ILogger logger)
    {
        var soft = ReadSoftLimit();
        var needed = Needed(limits);
        if (soft is { } limit && limit < needed)
        {
            Log.DescriptorsTooFew(logger, limit, limits.MaxConnections, needed);
        }
    }

    /// <summary>The soft RLIMIT_NOFILE from /proc/self/limits; null where that file does not exist.</summary>
    public static long? ReadSoftLimit()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/limits"))
            {
                if (line.StartsWith("Max open files", StringComparison.Ordinal))
                {
                    var fields = line["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    return fields[0] == "unlimited" ? long.MaxValue : long.Parse(fields[0], System.Globalization.CultureInfo.InvariantCulture);
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return null;
    }
}
