using System.Net;
using System.Net.Sockets;
using Gozar.Cli;
using Gozar.Configuration;
using Gozar.Protocol.Secrets;

namespace Gozar.Tests.Cli;

public sealed class RunCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("gozar-run-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task RunAsync_NoConfig_WritesOneListensAndPrintsEeLink()
    {
        var path = Path.Combine(_directory, "sub", "gozar.toml");
        var port = FreePort();
        var output = new StringWriter();
        var errors = new StringWriter();
        using var stop = new CancellationTokenSource();

        var run = RunCommand.RunAsync(path, output, errors, () => port, stop.Token);
        await WaitForAsync(() => output.ToString().Contains("is running", StringComparison.Ordinal), run);

        var loaded = ConfigLoader.LoadFile(path);
        Assert.True(loaded.Succeeded, loaded.Error);
        Assert.True(loaded.Options.Modes.Tls);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }

        var link = output.ToString().Split('\n').Select(l => l.Trim()).First(l => l.StartsWith("tls ", StringComparison.Ordinal))[4..].Trim();
        Assert.True(ProxyLink.TryParse(link, out var info));
        Assert.Equal(SecretKind.FakeTls, info.Secret.Kind);
        Assert.Equal(port, info.Port);
        Assert.True(info.Secret.Key.SequenceEqual(loaded.Options.Users[0].Secret));

        using (var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
        }

        await stop.CancelAsync();
        Assert.Equal(0, await run);
        Assert.Equal(string.Empty, errors.ToString());
    }

    [Fact]
    public async Task RunAsync_BadConfig_ExitsTwoWithOneLineNamingTheKey()
    {
        var path = Path.Combine(_directory, "gozar.toml");
        await File.WriteAllTextAsync(path, """
            listen = ["127.0.0.1:1"]
            [tls]
            domains = ["example.com"]
            maskhost = "example.com:443"
            [users]
            alice = "0123456789abcdef0123456789abcdef"
            """);
        var errors = new StringWriter();

        var code = await RunCommand.RunAsync(path, new StringWriter(), errors, () => 1, CancellationToken.None);

        Assert.Equal(2, code);
        var message = errors.ToString().TrimEnd();
        Assert.DoesNotContain('\n', message);
        Assert.Contains("tls.maskhost", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_BadConfig_NamesThePathOnce()
    {
        var path = Path.Combine(_directory, "gozar.toml");
        await File.WriteAllTextAsync(path, """
            listen = ["127.0.0.1:1"]
            [users]
            alice = "0123456789abcdef0123456789abcdef"
            """);
        var errors = new StringWriter();

        var code = await RunCommand.RunAsync(path, new StringWriter(), errors, () => 1, CancellationToken.None);

        Assert.Equal(2, code);
        Assert.StartsWith($"gozar: {path}: tls.domains:", errors.ToString(), StringComparison.Ordinal);
        Assert.Equal(2, errors.ToString().Split(path).Length);
    }

    [Fact]
    public async Task RunAsync_EmptyConfigPath_ExitsTwo()
    {
        var errors = new StringWriter();

        var code = await RunCommand.RunAsync(string.Empty, new StringWriter(), errors, () => 1, CancellationToken.None);

        Assert.Equal(2, code);
        Assert.Equal("gozar: config file path is empty", errors.ToString().TrimEnd());
    }

    [Fact]
    public async Task RunAsync_ConfigPathIsDirectory_ExitsTwoWritingNothing()
    {
        var errors = new StringWriter();

        var code = await RunCommand.RunAsync(_directory, new StringWriter(), errors, () => 1, CancellationToken.None);

        Assert.Equal(2, code);
        Assert.Equal($"gozar: '{_directory}' is a directory, not a config file", errors.ToString().TrimEnd());
        Assert.Empty(Directory.EnumerateFileSystemEntries(_directory));
    }

    [Theory]
    [InlineData(".", "is a directory, not a file")]
    [InlineData("missing/state.json", "does not exist")]
    public async Task RunAsync_StateFileNeverWritable_ExitsTwoNamingTheKey(string stateFile, string problem)
    {
        var path = Path.Combine(_directory, "gozar.toml");
        await File.WriteAllTextAsync(path, $"""
            listen = ["127.0.0.1:{FreePort()}"]
            [tls]
            domains = ["example.com"]
            [users]
            alice = "0123456789abcdef0123456789abcdef"
            [state]
            file = "{stateFile}"
            """);
        var errors = new StringWriter();

        var code = await RunCommand.RunAsync(path, new StringWriter(), errors, () => 1, CancellationToken.None);

        Assert.Equal(2, code);
        var message = errors.ToString().TrimEnd();
        Assert.StartsWith("gozar: state.file: ", message, StringComparison.Ordinal);
        Assert.EndsWith(problem, message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', message);
    }

    [Fact]
    public async Task RunAsync_PortInUse_ExitsTwoAndLeavesNothingListening()
    {
        using var occupier = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        occupier.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        occupier.Listen();
        var busy = ((IPEndPoint)occupier.LocalEndPoint!).Port;
        var free = FreePort();
        var path = Path.Combine(_directory, "gozar.toml");
        await File.WriteAllTextAsync(path, $"""
            listen = ["127.0.0.1:{free}", "127.0.0.1:{busy}"]
            [tls]
            domains = ["example.com"]
            [users]
            alice = "0123456789abcdef0123456789abcdef"
            """);
        var errors = new StringWriter();

        var code = await RunCommand.RunAsync(path, new StringWriter(), errors, () => 1, CancellationToken.None);

        Assert.Equal(2, code);
        Assert.Contains($"127.0.0.1:{busy} is already in use", errors.ToString(), StringComparison.Ordinal);
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        var refused = await Assert.ThrowsAsync<SocketException>(() => probe.ConnectAsync(new IPEndPoint(IPAddress.Loopback, free)));
        Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
    }

    [Fact]
    public async Task RunAsync_NoUsers_ExitsTwo()
    {
        var path = Path.Combine(_directory, "gozar.toml");
        await File.WriteAllTextAsync(path, """
            listen = ["127.0.0.1:1"]
            [tls]
            domains = ["example.com"]
            """);
        var errors = new StringWriter();

        Assert.Equal(2, await RunCommand.RunAsync(path, new StringWriter(), errors, () => 1, CancellationToken.None));
        Assert.Contains("users", errors.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task RunAsync_NoConfigAndItsTemporaryNameHeldOpenElsewhere_TheSecretsNeverReachThatFile()
    {
        // The proxy's port is taken, so that run ends right after writing the fresh config.
        using var occupier = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        occupier.Bind(new IPEndPoint(IPAddress.Any, 0));
        occupier.Listen();
        var busy = ((IPEndPoint)occupier.LocalEndPoint!).Port;
        var path = Path.Combine(_directory, "gozar.toml");
        File.WriteAllText(path + ".tmp", string.Empty);
        File.SetUnixFileMode(path + ".tmp", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        using var held = new FileStream(path + ".tmp", FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);

        var code = await RunCommand.RunAsync(path, new StringWriter(), new StringWriter(), () => busy, CancellationToken.None);

        Assert.Equal(2, code);
        Assert.True(ConfigLoader.LoadFile(path).Succeeded);
        Assert.Equal(0, held.Length);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
    }

    internal static int FreePort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    private static async Task WaitForAsync(Func<bool> condition, Task run)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (!condition())
        {
            Assert.False(run.IsCompleted, "run ended early");
            await Task.Delay(20, timeout.Token);
        }
    }
}
