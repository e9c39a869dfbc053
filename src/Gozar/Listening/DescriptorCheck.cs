using System.Runtime.InteropServices;
using Gozar.Configuration;
using Gozar.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Gozar.Listening;

/// <summary>
/// At start, raises the process's open-file limit to what its hard limit allows (a shell's default soft limit of 1,024
/// would hold about 480 clients), and measures what is left of it for clients (<see cref="DescriptorBudget"/>).
/// </summary>
public static partial class DescriptorCheck
{
    // RLIMIT_NOFILE in Linux's generic resource numbering (x86-64, arm64).
    private const int OpenFilesResource = 7;

    /// <summary>The budget of this process now; null where its limit or open descriptors cannot be read.</summary>
    public static DescriptorBudget? Measure()
    {
        if (ReadSoftLimit() is not { } limit)
        {
            return null;
        }

        try
        {
            var open = 0;
            foreach (var _ in Directory.EnumerateFileSystemEntries("/proc/self/fd"))
            {
                open++;
            }

            return new DescriptorBudget(limit, open);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
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
