using System.Runtime.InteropServices;
using Gozar.Configuration;
using Gozar.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Gozar.Listening;

/// <summary>
/// At start, raises the process's open-file limit to what its hard limit allows (a shell's default soft limit of 1,024
/// would hold about 480 clients), and warns when even that is fewer than the configured connections need: each
/// relayed client holds two sockets (client and DC or mask site), and running out makes accepts fail for everyone.
/// </summary>
public static partial class DescriptorCheck
{
    private const int Reserve = 64;

    // RLIMIT_NOFILE in Linux's generic resource numbering (x86-64, arm64).
    private const int OpenFilesResource = 7;

    public static int Needed(LimitOptions limits) => (limits.MaxConnections * 2) + limits.MaxMaskPreconnects + Reserve;

    public static void RaiseAndWarnIfTooFew(LimitOptions limits, ILogger logger)
    {
        if (RaiseSoftLimit() is { } raised)
        {
            Log.DescriptorLimitRaised(logger, raised.Before, raised.After);
        }

        var soft = ReadSoftLimit();
        var needed = Needed(limits);
        if (soft is { } limit && limit < needed)
        {
            Log.DescriptorsTooFew(logger, limit, limits.MaxConnections, needed);
        }
    }

    /// <summary>
    /// Sets the soft RLIMIT_NOFILE to the hard one, as Go's runtime does for every program: the soft limit guards
    /// select()-based programs against descriptors above 1,024, which a proxy on epoll does not have. Null when nothing
    /// changed (already there, not Linux, or refused).
    /// </summary>
    public static (ulong Before, ulong After)? RaiseSoftLimit()
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture is not (Architecture.X64 or Architecture.Arm64))
        {
            return null;
        }

        try
        {
            if (GetResourceLimit(OpenFilesResource, out var limit) != 0 || limit.Current >= limit.Maximum)
            {
                return null;
            }

            var raised = limit with { Current = limit.Maximum };
            return SetResourceLimit(OpenFilesResource, raised) == 0 ? (limit.Current, raised.Current) : null;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
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

    [LibraryImport("libc", EntryPoint = "getrlimit")]
    private static partial int GetResourceLimit(int resource, out ResourceLimit limit);

    [LibraryImport("libc", EntryPoint = "setrlimit")]
    private static partial int SetResourceLimit(int resource, in ResourceLimit limit);

    /// <summary>struct rlimit on 64-bit Linux: soft, then hard, each an unsigned 64-bit rlim_t.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private readonly record struct ResourceLimit(ulong Current, ulong Maximum);
}
