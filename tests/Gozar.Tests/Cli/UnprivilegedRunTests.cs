using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.Versioning;
using Gozar.Protocol.Framing;
using Gozar.SelfTest;
using Gozar.Tests.Infrastructure;

namespace Gozar.Tests.Cli;

/// <summary>
/// The built gozar as user nobody with CAP_NET_BIND_SERVICE as its only capability (what systemd's
/// AmbientCapabilities= gives it) binds a port below 1024 and serves a client.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class UnprivilegedRunTests : IAsyncDisposable
{
    private const string Setpriv = "/usr/bin/setpriv";
    private const int Nobody = 65534;

    private readonly string _directory = Directory.CreateTempSubdirectory("gozar-nobody-").FullName;
    private readonly EchoDc _dc = new();

    [SkippableFact]
    public async Task Run_AsNobodyWithOnlyNetBindService_ServesAClientOnAPortBelow1024()
    {
        Skip.IfNot(OperatingSystem.IsLinux() && Environment.UserName == "root" && File.Exists(Setpriv), "needs Linux, root and setpriv");
        var gozarDll = typeof(Gozar.Cli.RunCommand).Assembly.Location;
        Skip.IfNot(await RunsAsNobodyAsync("test", "-r", gozarDll), "user nobody cannot read the built gozar.dll here");
        var port = FreePrivilegedPort();
        Skip.If(port == 0, "no free port in 400..1000 on 127.0.0.1");

        var config = await GozarProcess.WriteConfigAsync(_directory, port, _dc.Port);
        File.SetUnixFileMode(_directory, (UnixFileMode)0b111_101_101);
        File.SetUnixFileMode(config, (UnixFileMode)0b110_100_100);

        using var gozar = GozarProcess.Start(AsNobody("dotnet", gozarDll, "run", "--config", config));
        try
        {
            await gozar.WaitForOutputAsync("is running");
            await using var client = await Client.ConnectTlsAsync(new IPEndPoint(IPAddress.Loopback, port), TestProxy.AliceKey);
            var frame = Frames.Build(ProtocolTag.PaddedIntermediate, [256]);
            var echo = client.ReceiveAsync(frame.Length, default);
            await client.SendAsync(frame, default);

            Assert.Equal(frame, await echo.WaitAsync(TimeSpan.FromSeconds(10)));
            Assert.Equal($"{Nobody}", (await File.ReadAllLinesAsync($"/proc/{gozar.Process.Id}/status"))
                .Single(l => l.StartsWith("Uid:", StringComparison.Ordinal)).Split('\t')[1]);
        }
        finally
        {
            gozar.Process.Kill(entireProcessTree: true);
            await gozar.Process.WaitForExitAsync();
        }
    }

    private static ProcessStartInfo AsNobody(params string[] command)
    {
        var info = new ProcessStartInfo(Setpriv) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in (string[])[
            $"--reuid={Nobody}", $"--regid={Nobody}", "--clear-groups",
            "--inh-caps=-all,+net_bind_service", "--ambient-caps=-all,+net_bind_service", "--bounding-set=-all,+net_bind_service",
            "--", .. command])
        {
            info.ArgumentList.Add(argument);
        }

        // nobody's home does not exist; the runtime only needs somewhere to put nothing.
        info.Environment["HOME"] = Path.GetTempPath();
        return info;
    }

    private static async Task<bool> RunsAsNobodyAsync(params string[] command)
    {
        using var process = Process.Start(AsNobody(command))!;
        await process.WaitForExitAsync();
        return process.ExitCode == 0;
    }

    /// <summary>A port in 400..1000 that 127.0.0.1 can bind now; 0 if none.</summary>
    private static int FreePrivilegedPort()
    {
        for (var port = 400; port <= 1000; port++)
        {
            using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                probe.Bind(new IPEndPoint(IPAddress.Loopback, port));
                return port;
            }
            catch (SocketException)
            {
                // In use: try the next one.
            }
        }

        return 0;
    }

    public async ValueTask DisposeAsync()
    {
        await _dc.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }
}
