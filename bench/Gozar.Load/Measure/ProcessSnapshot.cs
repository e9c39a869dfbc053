using System.Globalization;

namespace Gozar.Load.Measure;

/// <summary>
/// What a soak watches in another process, read from /proc: resident memory (all of it, and the anonymous part, where
/// a managed heap or a native leak would show), threads and open descriptors. All zero when the process is gone.
/// </summary>
public readonly record struct ProcessSnapshot(long RssKib, long RssAnonKib, int Threads, int Descriptors)
{
    public static ProcessSnapshot Read(int pid)
    {
        long rss = 0, anon = 0;
        var threads = 0;
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    rss = Number(line);
                }
                else if (line.StartsWith("RssAnon:", StringComparison.Ordinal))
                {
                    anon = Number(line);
                }
                else if (line.StartsWith("Threads:", StringComparison.Ordinal))
                {
                    threads = (int)Number(line);
                }
            }

            return new ProcessSnapshot(rss, anon, threads, Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd").Count());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return default;
        }
    }

    /// <summary>The number in a "Name:\t  1234 kB" line of /proc/PID/status.</summary>
    private static long Number(string line)
    {
        var value = line.AsSpan(line.IndexOf(':') + 1).Trim();
        var space = value.IndexOf(' ');
        return long.Parse(space < 0 ? value : value[..space], CultureInfo.InvariantCulture);
    }
}
