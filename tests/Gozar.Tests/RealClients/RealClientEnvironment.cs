using System.Diagnostics;

namespace Gozar.Tests.RealClients;

/// <summary>
/// Finds the real client libraries: Telethon for a Python 3 (Debian's python3-telethon lives in /usr/bin/python3's
/// dist-packages, which a pyenv or venv python3 on PATH does not see), and GramJS, mtcute and TDLib installed by
/// `npm ci` under tests/RealClients/gramjs, mtcute and tdlib. GOZAR_TELETHON_PYTHON names another interpreter.
/// </summary>
internal static class RealClientEnvironment
{
    private static readonly Lazy<string?> TelethonPythonLazy = new(FindTelethonPython);
    private static readonly Lazy<string?> NodeLazy = new(() => FindNode("gramjs", "telegram"));
    private static readonly Lazy<string?> MtcuteNodeLazy = new(() => FindNode("mtcute", Path.Combine("@mtcute", "node")));

    // The library itself, not only its bindings: prebuilt-tdlib holds it in a package per platform (Linux x64 here).
    private static readonly Lazy<string?> TdlibNodeLazy = new(() => FindNode("tdlib", Path.Combine("@prebuilt-tdlib", "linux-x64-glibc")));
    private static readonly Lazy<string> RootLazy = new(FindRepositoryRoot);

    /// <summary>CI sets CI=true; there a missing client library fails the tests instead of skipping them.</summary>
    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public static string RepositoryRoot => RootLazy.Value;

    public static string ScriptsDirectory => Path.Combine(RepositoryRoot, "tests", "RealClients");

    /// <summary>A python that can import telethon, or null.</summary>
    public static string? TelethonPython => TelethonPythonLazy.Value;

    /// <summary>node, when GramJS is installed next to its driver script; else null.</summary>
    public static string? Node => NodeLazy.Value;

    /// <summary>node, when mtcute is installed next to its driver script; else null.</summary>
    public static string? MtcuteNode => MtcuteNodeLazy.Value;

    /// <summary>node, when tdl and a prebuilt TDLib for this machine are installed next to the driver script; else null.</summary>
    public static string? TdlibNode => TdlibNodeLazy.Value;

    public static string TelethonMissing =>
        "Telethon is not installed: apt-get install -y python3-telethon (or set GOZAR_TELETHON_PYTHON to a python3 that has it).";

    public static string GramJsMissing =>
        "GramJS is not installed: run `npm ci` in tests/RealClients/gramjs (needs node on PATH).";

    public static string MtcuteMissing =>
        "mtcute is not installed: run `npm ci --ignore-scripts` in tests/RealClients/mtcute (needs node on PATH).";

    public static string TdlibMissing =>
        "TDLib is not installed: run `npm ci --ignore-scripts` in tests/RealClients/tdlib (needs node on PATH, Linux x64 with glibc).";

    private static string? FindTelethonPython()
    {
        string?[] candidates = [Environment.GetEnvironmentVariable("GOZAR_TELETHON_PYTHON"), "/usr/bin/python3", "python3"];
        foreach (var candidate in candidates)
        {
            if (!string.IsNullOrEmpty(candidate) && Succeeds(candidate, "-c", "import telethon"))
            {
                return candidate;
            }
        }

        return null;
    }

    private static string? FindNode(string driver, string package)
    {
        var installed = Path.Combine(ScriptsDirectory, driver, "node_modules", package, "package.json");
        return File.Exists(installed) && Succeeds("node", "--version") ? "node" : null;
    }

    private static bool Succeeds(string fileName, params string[] arguments)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            using var process = Process.Start(start);
            if (process is null)
            {
                return false;
            }

            process.StandardOutput.ReadToEnd();
            process.StandardError.ReadToEnd();
            return process.WaitForExit(TimeSpan.FromSeconds(20)) && process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Gozar.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Gozar.sln not found above " + AppContext.BaseDirectory);
    }
}
