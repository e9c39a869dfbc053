namespace Gozar.Tests.Infrastructure;

public static class Descriptors
{
    /// <summary>File descriptors this process holds now (Linux).</summary>
    public static int Open() => Directory.GetFiles("/proc/self/fd").Length;

    /// <summary>Waits until the open descriptors are back to at most <paramref name="baseline"/> plus slack.</summary>
    public static async Task<int> WaitForAtMostAsync(int baseline, int slack = 4)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        int open;
        while ((open = Open()) > baseline + slack && !timeout.IsCancellationRequested)
        {
            await Task.Delay(20, CancellationToken.None);
        }

        return open;
    }
}
