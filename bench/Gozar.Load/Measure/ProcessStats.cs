using System.Globalization;

namespace Gozar.Load.Measure;

/// <summary>CPU time and resident memory of a process, read from /proc.</summary>
public static class ProcessStats
{
    // /proc reports CPU times in USER_HZ, which Linux fixes at 100 for user space.
    private const double TicksPerSecond = 100;

    /// <summary>User + system CPU seconds the process has used so far; 0 when it is gone or unknown.</summary>
    public static double CpuSeconds(int pid)
    {
        if (pid <= 0)
        {
            return 0;
        }

        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // Fields after the command name, which is in parentheses and may hold spaces: state is [0], utime [11], stime [12].
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    /// <summary>VmRSS in KiB; 0 when the process is gone.</summary>
    public static long RssKib(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    return long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture);
                }
            }
        }
        catch (IOException)
        {
        }

        return 0;
    }
}

/// <summary>CPU use of the load generator, the fake DC and the target over one measured interval, as % of one core.</summary>
public sealed class CpuWatch
{
    private readonly int[] _pids;
    private readonly double[] _start;
    private long _startTimestamp;

    /// <param name="pids">Load generator, fake DC, target (relay or proxy); 0 for unknown.</param>
    public CpuWatch(params int[] pids)
    {
        _pids = pids;
        _start = new double[pids.Length];
    }

    public void Start()
    {
        for (var i = 0; i < _pids.Length; i++)
        {
            _start[i] = ProcessStats.CpuSeconds(_pids[i]);
        }

        _startTimestamp = System.Diagnostics.Stopwatch.GetTimestamp();
    }

    /// <summary>Percent of one core each process used since <see cref="Start"/>.</summary>
    public double[] Stop()
    {
        var elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(_startTimestamp).TotalSeconds;
        var result = new double[_pids.Length];
        for (var i = 0; i < _pids.Length; i++)
        {
            result[i] = elapsed > 0 ? 100 * (ProcessStats.CpuSeconds(_pids[i]) - _start[i]) / elapsed : 0;
        }

        return result;
    }
}
