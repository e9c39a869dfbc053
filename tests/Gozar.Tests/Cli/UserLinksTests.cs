using Gozar.Cli;
using Gozar.Tests.Configuration;

namespace Gozar.Tests.Cli;

public sealed class UserLinksTests
{
    [Fact]
    public void Write_PlaceholderHost_WritesLinksWithThePlaceholder()
    {
        // What a proxy without a public_host prints when it finds no interface but loopback.
        var options = TomlSamples.LoadValid(TomlSamples.Config());
        var output = new StringWriter();

        var preferred = UserLinks.Write(output, options, options.Users[0], PublicAddress.Placeholder);

        Assert.StartsWith($"tg://proxy?server={PublicAddress.Placeholder}&", preferred, StringComparison.Ordinal);
        Assert.Contains($"https://t.me/proxy?server={PublicAddress.Placeholder}&", output.ToString(), StringComparison.Ordinal);
    }
}
