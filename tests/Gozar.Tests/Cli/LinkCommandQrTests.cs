using System.Xml.Linq;
using Gozar.Cli;
using Gozar.Tests.Configuration;

namespace Gozar.Tests.Cli;

public sealed class LinkCommandQrTests
{
    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    private readonly string _directory = Directory.CreateTempSubdirectory("gozar-qr-").FullName;

    [Fact]
    public void Run_QrSvg_WritesAnSvgDocument()
    {
        var output = new StringWriter();
        var file = Path.Combine(_directory, "alice.svg");

        var code = LinkCommand.Run(WriteConfig(), "alice", output, new StringWriter(), "svg", file);

        Assert.Equal(0, code);
        var svg = XDocument.Parse(File.ReadAllText(file));
        Assert.Equal("svg", svg.Root!.Name.LocalName);
        Assert.NotNull(svg.Root.Attribute("viewBox"));
        Assert.NotEmpty(svg.Root.Elements());
        Assert.Contains(file, output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Run_QrPng_WritesPngSignature()
    {
        var file = Path.Combine(_directory, "alice.png");

        var code = LinkCommand.Run(WriteConfig(), null, new StringWriter(), new StringWriter(), "png", file);

        Assert.Equal(0, code);
        var bytes = File.ReadAllBytes(file);
        Assert.Equal(PngSignature, bytes[..PngSignature.Length]);
        Assert.True(bytes.Length > 200);
    }

    [Theory]
    [InlineData("svg")]
    [InlineData("png")]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void Run_QrToANewFile_ItIsReadableByItsOwnerOnly(string format)
    {
        // The code carries the user's secret, like the config: anyone who can read it can use the proxy as that user.
        var file = Path.Combine(_directory, "alice." + format);

        Assert.Equal(0, LinkCommand.Run(WriteConfig(), "alice", new StringWriter(), new StringWriter(), format, file));

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
    }

    [Fact]
    public void Run_QrWithoutOut_ExitsTwo()
    {
        var errors = new StringWriter();

        Assert.Equal(2, LinkCommand.Run(WriteConfig(), null, new StringWriter(), errors, "svg", null));
        Assert.Contains("--out", errors.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Run_QrWithSeveralUsersAndNoUser_ExitsTwo()
    {
        var errors = new StringWriter();
        var users = $"{TomlSamples.UsersBody}\nbob = \"{TomlSamples.BobSecret}\"";

        Assert.Equal(2, LinkCommand.Run(WriteConfig(users), null, new StringWriter(), errors, "png", Path.Combine(_directory, "x.png")));
        Assert.Contains("--user", errors.ToString(), StringComparison.Ordinal);
    }

    private string WriteConfig(string users = TomlSamples.UsersBody)
    {
        var path = Path.Combine(_directory, "gozar.toml");
        File.WriteAllText(path, TomlSamples.Config(users: users));
        return path;
    }
}
