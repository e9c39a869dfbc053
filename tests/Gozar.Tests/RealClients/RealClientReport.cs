namespace Gozar.Tests.RealClients;

/// <summary>
/// One line per real-client run, appended to the file named by GOZAR_REALCLIENT_REPORT (.ci/run prints it), so
/// that CI shows which client passed in which mode and not only a test count.
/// </summary>
internal static class RealClientReport
{
    private static readonly Lock Gate = new();

    public static void Add(string client, string mode, bool passed, string detail)
    {
        var path = Environment.GetEnvironmentVariable("GOZAR_REALCLIENT_REPORT");
        if (string.IsNullOrEmpty(path))
        {
            return;
        }

        lock (Gate)
        {
            File.AppendAllText(path, $"{client,-9} {mode,-58} {(passed ? "passed" : "FAILED"),-7} {detail}{Environment.NewLine}");
        }
    }
}
