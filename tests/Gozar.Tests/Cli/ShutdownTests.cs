using System.Diagnostics;
using System.Runtime.InteropServices;
using Gozar.Protocol.Framing;
using Gozar.Protocol.Secrets;
using Gozar.SelfTest;
using Gozar.Tests.Infrastructure;

namespace Gozar.Tests.Cli;

/// <summary>`gozar run` as a real process: SIGTERM drains, a second signal stops at once, the exit code is 0.</summary>
public sealed partial class ShutdownTests : IAsyncDisposable
{
    private const int SigTerm = 15;

    private readonly string _directory = Directory.CreateTempSubdirectory("gozar-shutdown-").FullName;
    private readonly EchoDc _dc = new();

    [Fact]
    public async Task Run_Sigterm_LetsTheOpenSessionFinishThenExitsZero()
    {
        using var gozar = await StartAsync(drain: "30s");
        await using var client = await ConnectAsync();

        Signal(gozar.Process, SigTerm);
        await gozar.WaitForOutputAsync("Stopping");
        await EchoAsync(client);
        Assert.False(gozar.Process.HasExited);

        await client.DisposeAsync();
        Assert.True(await gozar.WaitForExitAsync(TimeSpan.FromSeconds(15)), gozar.Output);
        Assert.Equal(0, gozar.Process.ExitCode);
    }

    [Fact]
    public async Task Run_SecondSignal_StopsAtOnceEvenWithOpenSessions()
    {
        using var gozar = await StartAsync(drain: "10m");
        await using var client = await ConnectAsync();

        Signal(gozar.Process, SigTerm);
        await gozar.WaitForOutputAsync("Stopping");
        Signal(gozar.Process, SigTerm);

        Assert.True(await gozar.WaitForExitAsync(TimeSpan.FromSeconds(15)), gozar.Output);
        Assert.Equal(0, gozar.Process.ExitCode);
        Assert.Empty(await client.Socket.ReadToEndAsync());
    }

    private int _port;

    private async Task<GozarProcess> StartAsync(string drain)
    {
        _port = RunCommandTests.FreePort();
        var config = await GozarProcess.WriteConfigAsync(_directory, _port, _dc.Port, $"""
            [timeouts]
            drain = "{drain}"
            """);
        var gozar = GozarProcess.Start(typeof(Gozar.Cli.RunCommand).Assembly.Location, "run", "--config", config);
        await gozar.WaitForOutputAsync("is running");
        return gozar;
    }

    private async Task<SelfTestClient> ConnectAsync()
    {
        var client = await Client.ConnectTlsAsync(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, _port), TestProxy.AliceKey);
        await EchoAsync(client);
        return client;
    }

    private static async Task EchoAsync(SelfTestClient client)
    {
        var frame = Frames.Build(ProtocolTag.PaddedIntermediate, [128]);
        var echo = client.ReceiveAsync(frame.Length, default);
        await client.SendAsync(frame, default);
        Assert.Equal(frame, await echo.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    private static void Signal(Process process, int signal) => Assert.Equal(0, Kill(process.Id, signal));

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    public async ValueTask DisposeAsync()
    {
        await _dc.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }
}
