using System.Diagnostics;
using Gozar.Tests.Cli;

namespace Gozar.Tests.Listening;

public sealed class DescriptorCheckTests : IDisposable
{
    private const int LowSoftLimit = 300;

    private readonly string _directory = Directory.CreateTempSubdirectory("gozar-nofile-").FullName;

    [SkippableFact]
    public async Task Run_SoftOpenFileLimitBelowTheHardOne_RaisesItToTheHardLimit()
    {
        // A shell's default soft limit (often 1,024) under a higher hard one: gozar run lifts it, as a server should.
        Skip.IfNot(OperatingSystem.IsLinux() && File.Exists("/bin/bash"), "needs Linux and bash");
        var hard = ReadOpenFiles("self").Hard;
        Skip.If(hard <= LowSoftLimit, $"the hard open-file limit here is only {hard}");
        var config = await GozarProcess.WriteConfigAsync(_directory, RunCommandTests.FreePort(), dcPort: 9);
        var gozarDll = typeof(Gozar.Cli.RunCommand).Assembly.Location;
        var start = new ProcessStartInfo("/bin/bash");
        foreach (var argument in (string[])["-c", $"ulimit -Sn {LowSoftLimit} && exec dotnet \"$0\" run --config \"$1\"", gozarDll, config])
        {
            start.ArgumentList.Add(argument);
        }

        using var gozar = GozarProcess.Start(start);
        await gozar.WaitForOutputAsync("is running");

        var (soft, raisedTo) = ReadOpenFiles(gozar.Process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(hard, soft);
        Assert.Equal(hard, raisedTo);
    }

    [Fact]
    public void RaiseSoftLimit_AlreadyAtTheHardLimit_ChangesNothing()
    {
        Gozar.Listening.DescriptorCheck.RaiseSoftLimit();

        Assert.Null(Gozar.Listening.DescriptorCheck.RaiseSoftLimit());
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static (long Soft, long Hard) ReadOpenFiles(string process)
    {
        var line = File.ReadLines($"/proc/{process}/limits").Single(l => l.StartsWith("Max open files", StringComparison.Ordinal));
        var fields = line["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return (Parse(fields[0]), Parse(fields[1]));

        static long Parse(string text) => text == "unlimited" ? long.MaxValue : long.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
    }
}
