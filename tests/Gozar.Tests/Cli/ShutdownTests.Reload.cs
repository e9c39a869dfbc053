using Gozar.Tests.Infrastructure;

namespace Gozar.Tests.Cli;

/// <summary>`gozar run` as a real process: SIGHUP reloads the config instead of ending the process.</summary>
public sealed partial class ShutdownTests
{
    private const int SigHup = 1;

    [Fact]
    public async Task Run_SighupAfterUserRemoved_EndsTheirSessionAndAdmitsTheNewUser()
    {
        using var gozar = await StartAsync(drain: "30s");
        await using var alice = await ConnectAsync();
        var config = Path.Combine(_directory, "gozar.toml");
        var text = await File.ReadAllTextAsync(config);
        await File.WriteAllTextAsync(config, text.Replace(
            $"alice = \"{Convert.ToHexStringLower(TestProxy.AliceKey)}\"",
            $"bob = \"{Convert.ToHexStringLower(TestProxy.BobKey)}\"",
            StringComparison.Ordinal));

        Signal(gozar.Process, SigHup);

        await gozar.WaitForOutputAsync("user alice removed");
        Assert.Empty(await alice.Socket.ReadToEndAsync());
        await using var bob = await Client.ConnectTlsAsync(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, _port), TestProxy.BobKey);
        await EchoAsync(bob);
        Assert.False(gozar.Process.HasExited);
    }

    [Fact]
    public async Task Run_SighupWithInvalidConfig_KeepsServingTheOldOne()
    {
        using var gozar = await StartAsync(drain: "30s");
        await using var alice = await ConnectAsync();
        await File.AppendAllTextAsync(Path.Combine(_directory, "gozar.toml"), "\nmystery_key = 1\n");

        Signal(gozar.Process, SigHup);

        await gozar.WaitForOutputAsync("Configuration not reloaded");
        Assert.Contains("mystery_key", gozar.Output, StringComparison.Ordinal);
        await EchoAsync(alice);
        await using var again = await ConnectAsync();
        Assert.False(gozar.Process.HasExited);
    }
}
