using System.Diagnostics;
using Gozar.Configuration;
using Gozar.Diagnostics;
using Gozar.Protocol.Framing;
using Gozar.SelfTest;
using Gozar.Tests.Infrastructure;
using Gozar.Users;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gozar.Tests.Users;

/// <summary>Usage survives restarts through the state file; a failed write is counted, never fatal.</summary>
public sealed class UserStateTests : IAsyncDisposable
{
    private readonly EchoDc _dc = new();
    private readonly FakeMaskSite _mask = new();
    private readonly string _directory = Directory.CreateTempSubdirectory("gozar-state-").FullName;

    private ProxyOptions Options(string stateFile, bool clientIps = false) => TestProxy.Options(_dc, _mask) with
    {
        Users = [new UserOptions("alice", TestProxy.AliceKey) { Quota = 2500 }, new UserOptions("bob", TestProxy.BobKey)],
        State = new StateOptions { File = stateFile },
        Log = new LogOptions { ClientIps = clientIps },
    };

    [Fact]
    public async Task Restart_QuotaUsedBefore_IsStillUsedAfter()
    {
        var state = Path.Combine(_directory, "gozar.state.json");
        await using (var first = TestProxy.Start(Options(state)))
        {
            await using var client = await Client.ConnectAsync(first.EndPoint, TestProxy.AliceKey, ProtocolTag.Intermediate, 2);
            await UserLimitServerTests.EchoAsync(client, 1000);
        }

        await using var second = TestProxy.Start(Options(state));

        var alice = second.Users.Find("alice")!.Snapshot(DateTimeOffset.UtcNow);
        Assert.Equal(2 * 1004, alice.QuotaUsed);
        Assert.Equal(1004, alice.BytesDown);
        Assert.Equal(1, alice.SessionsTotal);
        Assert.Equal(1, alice.UniqueIps);
    }

    [Fact]
    public async Task Apply_StateFileMovedIntoAMissingDirectory_ChangesNothingAndNamesTheKey()
    {
        var state = Path.Combine(_directory, "gozar.state.json");
        var options = Options(state);
        await using var proxy = TestProxy.Start(options);
        var moved = Path.Combine(_directory, "missing", "gozar.state.json");

        var result = proxy.Server.Apply(options with
        {
            State = new StateOptions { File = moved },
            Users = [.. options.Users, new UserOptions("carol", Convert.FromHexString("00112233445566778899aabbccddeeff"))],
        });

        Assert.False(result.Succeeded);
        Assert.StartsWith("state.file: directory ", result.Error, StringComparison.Ordinal);
        Assert.Equal(state, proxy.Server.State!.Path);
        Assert.Null(proxy.Users.Find("carol"));
    }

    [Fact]
    public async Task Save_ClientIpsOff_FileHoldsNoClientAddress()
    {
        var state = Path.Combine(_directory, "gozar.state.json");
        await using (var proxy = TestProxy.Start(Options(state)))
        {
            await using var client = await Client.ConnectAsync(proxy.EndPoint, TestProxy.BobKey, ProtocolTag.Intermediate, 2);
            await UserLimitServerTests.EchoAsync(client);
            Assert.True(proxy.Server.State!.Save());
            var text = await File.ReadAllTextAsync(state);
            Assert.DoesNotContain("127.0.0.1", text, StringComparison.Ordinal);
            Assert.Contains("\"h:", text, StringComparison.Ordinal);
        }

        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(state));
        }
    }

    [Fact]
    public async Task Restart_ClientIpsTurnedOff_FileHoldsTheAddressesOnlyAsKeys()
    {
        var state = Path.Combine(_directory, "gozar.state.json");
        await using (var first = TestProxy.Start(Options(state, clientIps: true)))
        {
            await using var client = await Client.ConnectAsync(first.EndPoint, TestProxy.BobKey, ProtocolTag.Intermediate, 2);
            await UserLimitServerTests.EchoAsync(client);
        }

        Assert.Contains("\"127.0.0.1\"", await File.ReadAllTextAsync(state), StringComparison.Ordinal);
        await using var second = TestProxy.Start(Options(state));
        await using (var again = await Client.ConnectAsync(second.EndPoint, TestProxy.BobKey, ProtocolTag.Intermediate, 2))
        {
            await UserLimitServerTests.EchoAsync(again);
        }

        Assert.True(second.Server.State!.Save());
        var text = await File.ReadAllTextAsync(state);
        Assert.DoesNotContain("127.0.0.1", text, StringComparison.Ordinal);
        Assert.Contains("\"h:", text, StringComparison.Ordinal);
        // The address from before the restart and the same one after it are one address.
        Assert.Equal(1, second.Users.Find("bob")!.Snapshot(DateTimeOffset.UtcNow).UniqueIps);
    }

    [Fact]
    public async Task Reload_ClientIpsTurnedOff_NextSaveHoldsTheAddressesOnlyAsKeys()
    {
        var state = Path.Combine(_directory, "gozar.state.json");
        await using var proxy = TestProxy.Start(Options(state, clientIps: true));
        await using (var client = await Client.ConnectAsync(proxy.EndPoint, TestProxy.BobKey, ProtocolTag.Intermediate, 2))
        {
            await UserLimitServerTests.EchoAsync(client);
        }

        Assert.True(proxy.Server.Apply(Options(state)).Succeeded);

        Assert.True(proxy.Server.State!.Save());
        var text = await File.ReadAllTextAsync(state);
        Assert.DoesNotContain("127.0.0.1", text, StringComparison.Ordinal);
        Assert.Contains("\"h:", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"version":1,"users":null}""")]
    [InlineData("""{"version":1,"users":{"alice":null}}""")]
    public async Task Start_StateFileWithNulls_StartsWithFreshUsage(string json)
    {
        var state = Path.Combine(_directory, "state.json");
        await File.WriteAllTextAsync(state, json);

        await using var proxy = TestProxy.Start(Options(state));

        await using var client = await Client.ConnectAsync(proxy.EndPoint, TestProxy.AliceKey, ProtocolTag.Intermediate, 2);
        await UserLimitServerTests.EchoAsync(client);
        Assert.Null(new UserStateFile(state).Load(out var error));
        Assert.Contains("unknown format", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Save_DiskFull_ReturnsTheReasonKeepsTheOldFileAndLeavesNoTemporary()
    {
        var path = Path.Combine(_directory, "state.json");
        File.WriteAllText(path, "previous");
        var file = new UserStateFile(path, temporary => new FullDiskStream(File.Create(temporary)));

        var error = file.Save(new UserStateDocument());

        Assert.Contains("No space left on device", error, StringComparison.Ordinal);
        Assert.Equal("previous", File.ReadAllText(path));
        Assert.False(File.Exists(path + ".tmp"));
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void Save_TemporaryFileLeftReadableByOthers_StateStaysOwnerOnly()
    {
        var path = Path.Combine(_directory, "state.json");
        // Left at the temporary name by something else, with the mode a umask of 022 gives: the file holds the salt
        // that keys client addresses, which is all it takes to undo the keys of IPv4 addresses.
        File.WriteAllText(path + ".tmp", string.Empty);
        File.SetUnixFileMode(path + ".tmp", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        Assert.Null(new UserStateFile(path).Save(new UserStateDocument { AddressSalt = Convert.ToBase64String(new byte[ClientAddressKeys.SaltLength]) }));

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
    }

    [Fact]
    public void StoreSave_DiskFull_IsLoggedAndCounted()
    {
        var logs = new CapturingLoggerProvider();
        using var metrics = new GozarMetrics();
        var registry = new UserRegistry(TimeProvider.System, (_, _) => { });
        registry.Apply([new UserOptions("alice", TestProxy.AliceKey)], TimeSpan.Zero);
        var file = new UserStateFile(Path.Combine(_directory, "state.json"), temporary => new FullDiskStream(File.Create(temporary)));
        using var store = new UserStateStore(
            file, registry, new ClientAddressKeys(new byte[ClientAddressKeys.SaltLength], plain: false), metrics,
            logs.CreateLogger("Gozar"), TimeProvider.System, TimeSpan.FromHours(1));

        Assert.False(store.Save());
        Assert.False(store.Save());

        Assert.Equal(2, metrics.StateWriteFailures);
        Assert.Contains(logs.Lines, line => line.Contains("Saving user usage failed (2 failures so far)", StringComparison.Ordinal));
    }

    /// <summary>A real full file system: a 16 KiB tmpfs (needs root and mount; skipped otherwise).</summary>
    [SkippableFact]
    public async Task Save_OnAFullTmpfs_FailsWithoutCrashingTheProxy()
    {
        var mount = Path.Combine(_directory, "tiny");
        Directory.CreateDirectory(mount);
        Skip.IfNot(Run("mount", "-t", "tmpfs", "-o", "size=16k", "tmpfs", mount), "needs root to mount a tmpfs");
        try
        {
            File.WriteAllBytes(Path.Combine(mount, "filler"), new byte[12 * 1024]);
            var state = Path.Combine(mount, "gozar.state.json");
            var options = Options(state) with
            {
                Users = [.. Enumerable.Range(0, 200).Select(i => new UserOptions($"user{i}", BitConverter.GetBytes((long)i).Concat(new byte[8]).ToArray()))],
            };
            await using var proxy = TestProxy.Start(options, NullLoggerFactory.Instance);

            Assert.False(proxy.Server.State!.Save());

            Assert.Equal(1, proxy.Context.Metrics.StateWriteFailures);
            Assert.False(File.Exists(state + ".tmp"));
        }
        finally
        {
            Run("umount", mount);
        }
    }

    private static bool Run(string command, params string[] arguments)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(command, arguments) { RedirectStandardError = true })!;
            process.WaitForExit();
            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _mask.DisposeAsync();
        await _dc.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>Accepts nothing: every write fails the way ENOSPC does.</summary>
    private sealed class FullDiskStream(Stream inner) : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => 0;
        public override long Position { get => 0; set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count) => throw new IOException("No space left on device");

        public override void Write(ReadOnlySpan<byte> buffer) => throw new IOException("No space left on device");

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
