using System.Text.Json;
using Gozar.Tests.Admin;
using Gozar.Tests.RealClients;

namespace Gozar.Tests.Browser;

/// <summary>
/// The admin web page in Debian's headless Chromium, driven by playwright-core (tests/Browser/admin-page.js): log in,
/// create a user, see its QR code, disable it. Skipped locally without chromium or `npm ci` in tests/Browser; fails in CI.
/// </summary>
public sealed class AdminPageBrowserTests : IDisposable
{
    private const string Chromium = "/usr/bin/chromium";

    private readonly string _directory = Directory.CreateTempSubdirectory("gozar-browser-").FullName;

    [SkippableFact]
    public async Task AdminPage_LogInCreateUser_ShowsItsQrCodeAndDisablesIt()
    {
        var scripts = Path.Combine(RealClientEnvironment.RepositoryRoot, "tests", "Browser");
        var missing = !File.Exists(Chromium) ? $"{Chromium} is missing: apt-get install chromium"
            : !File.Exists(Path.Combine(scripts, "node_modules", "playwright-core", "package.json")) ? "run `npm ci` in tests/Browser"
            : null;
        Assert.False(missing is not null && RealClientEnvironment.IsCi, missing);
        Skip.If(missing is not null, missing);
        await using var harness = await AdminHarness.StartFromFileAsync(_directory);

        var run = await ClientRun.StartAsync(
            "node",
            ["admin-page.js", "--url", $"http://{harness.Admin.EndPoint}/", "--token", AdminHarness.Token, "--user", "dora",
                "--chromium", Chromium, "--screenshot", Path.Combine(_directory, "page.png")],
            scripts,
            TimeSpan.FromSeconds(90));

        Assert.True(run.ExitCode == 0, run.Describe());
        Assert.StartsWith("default-src 'none'", run.Step("loaded")!.Value.GetProperty("csp").GetString(), StringComparison.Ordinal);
        Assert.Equal(["alice", "bob"], run.Step("logged-in")!.Value.GetProperty("users").EnumerateArray().Select(u => u.GetString()));
        var created = run.Step("created")!.Value;
        Assert.True(created.GetProperty("qr").GetProperty("width").GetInt32() > 100, run.Describe());
        Assert.True(created.GetProperty("hasLink").GetBoolean());
        Assert.NotNull(run.Step("done"));
        var dora = harness.Proxy.Users.Find("dora");
        Assert.NotNull(dora);
        Assert.False(dora.Options.Enabled);
        Assert.Contains("[users.dora]", await File.ReadAllTextAsync(harness.ConfigPath!), StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
