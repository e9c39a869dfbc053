using FsCheck;
using FsCheck.Fluent;
using Gozar.Protocol.Secrets;

namespace Gozar.Protocol.Tests.Secrets;

public class ProxyLinkTests
{
    private const string KeyHex = "00112233445566778899aabbccddeeff";
    private const string FakeTlsHex = "ee00112233445566778899aabbccddeeff6578616d706c652e636f6d";

    private static readonly ProxySecret FakeTls = ProxySecret.FakeTls(Convert.FromHexString(KeyHex), "example.com");

    [Fact]
    public void Format_TgHex_IsSpecForm()
    {
        var link = ProxyLink.Format("proxy.example.net", 443, FakeTls, LinkKind.Tg);

        Assert.Equal($"tg://proxy?server=proxy.example.net&port=443&secret={FakeTlsHex}", link);
    }

    [Fact]
    public void Format_TMeBase64Url_IsSpecForm()
    {
        var link = ProxyLink.Format("203.0.113.7", 8443, FakeTls, LinkKind.TMe, SecretEncoding.Base64Url);

        Assert.Equal(
            "https://t.me/proxy?server=203.0.113.7&port=8443&secret=7gARIjNEVWZ3iJmqu8zd7v9leGFtcGxlLmNvbQ",
            link);
    }

    [Theory]
    [InlineData("2001:db8::1")]
    [InlineData("[2001:db8::1]")]
    [InlineData("2001:0DB8:0000::1")]
    public void Format_IPv6_WritesBareCanonicalLiteralPercentEncoded(string server)
    {
        var link = ProxyLink.Format(server, 443, FakeTls, LinkKind.Tg);

        Assert.StartsWith("tg://proxy?server=2001%3Adb8%3A%3A1&port=443&", link);
    }

    [Theory]
    [InlineData("")]
    [InlineData("proxy example.net")]
    [InlineData("proxy.example.net/path")]
    [InlineData("[203.0.113.7]")]
    [InlineData("203.0.113.256")]
    [InlineData("010.0.0.1")]
    [InlineData("fe80::1%eth0")]
    [InlineData("::1]")]
    public void Format_BadServer_Throws(string server)
    {
        Assert.Throws<ArgumentException>(() => ProxyLink.Format(server, 443, FakeTls, LinkKind.Tg));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(65536)]
    public void Format_PortOutOfRange_Throws(int port)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ProxyLink.Format("example.net", port, FakeTls, LinkKind.Tg));
    }

    [Theory]
    [InlineData($"tg://proxy?server=example.net&port=443&secret={FakeTlsHex}")]
    [InlineData($"https://t.me/proxy?server=example.net&port=443&secret={FakeTlsHex}")]
    [InlineData($"http://t.me/proxy?port=443&secret={FakeTlsHex}&server=example.net")]
    [InlineData($"https://telegram.me/proxy/?secret={FakeTlsHex}&server=example.net&port=443")]
    [InlineData($"TG://PROXY?SERVER=example.net&Port=443&Secret={FakeTlsHex}")]
    [InlineData($"tg://proxy?server=%65xample.net&port=%34%34%33&secret={FakeTlsHex}")]
    [InlineData($"tg://proxy?server=example.net&port=443&secret={FakeTlsHex}&server=other.net")]
    [InlineData($"tg://proxy?server=example.net&bot=x&&=y&port=443&secret={FakeTlsHex}#fragment")]
    [InlineData("tg://proxy?server=example.net&port=443&secret=7gARIjNEVWZ3iJmqu8zd7v9leGFtcGxlLmNvbQ")]
    public void TryParse_ValidForms_GiveServerPortSecret(string link)
    {
        Assert.True(ProxyLink.TryParse(link, out var info));

        Assert.Equal(new ProxyLinkInfo("example.net", 443, FakeTls), info);
    }

    [Theory]
    [InlineData("tg://proxy?server=2001%3Adb8%3A%3A1&port=443&secret=")]
    [InlineData("tg://proxy?server=2001:db8::1&port=443&secret=")]
    [InlineData("tg://proxy?server=%5B2001:db8::1%5D&port=443&secret=")]
    public void TryParse_IPv6Server_GivesBareLiteral(string prefix)
    {
        Assert.True(ProxyLink.TryParse(prefix + KeyHex, out var info));

        Assert.Equal("2001:db8::1", info.Server);
        Assert.Equal(SecretKind.Classic, info.Secret.Kind);
    }

    [Theory]
    [InlineData($"tg://socks?server=example.net&port=443&secret={FakeTlsHex}")]
    [InlineData($"https://example.com/proxy?server=example.net&port=443&secret={FakeTlsHex}")]
    [InlineData($"tg://proxyx?server=example.net&port=443&secret={FakeTlsHex}")]
    [InlineData($"tg://proxy?port=443&secret={FakeTlsHex}")]
    [InlineData("tg://proxy?server=example.net&port=443")]
    [InlineData($"tg://proxy?server=example.net&secret={FakeTlsHex}")]
    [InlineData($"tg://proxy?server=example.net&port=0&secret={FakeTlsHex}")]
    [InlineData($"tg://proxy?server=example.net&port=65536&secret={FakeTlsHex}")]
    [InlineData($"tg://proxy?server=example.net&port=+443&secret={FakeTlsHex}")]
    [InlineData($"tg://proxy?server=exa%20mple.net&port=443&secret={FakeTlsHex}")]
    [InlineData("tg://proxy?server=example.net&port=443&secret=dd" + KeyHex + "00")]
    [InlineData("tg://proxy?server=example.net&port=443&secret=%2BgARIjNEVWZ3iJmqu8zd7v9leGFtcGxlLmNvbQ")]
    [InlineData("")]
    public void TryParse_InvalidLinks_IsFalse(string link)
    {
        Assert.False(ProxyLink.TryParse(link, out var info));

        Assert.Null(info);
    }

    [FsCheck.Xunit.Property]
    public Property FormatThenParse_AnySecretServerAndForm_RoundTrips() =>
        Prop.ForAll(
            LinkPartsGen.ToArbitrary(),
            parts =>
            {
                // Base64url is left out: see ProxySecretTests for the one spelling tdlib reads as hex.
                var (secret, server, port, kind) = parts;
                var link = ProxyLink.Format(server, port, secret, kind);
                return ProxyLink.TryParse(link, out var info)
                    && info.Server == server && info.Port == port && info.Secret.Equals(secret);
            });

    [FsCheck.Xunit.Property]
    public bool TryParse_AnyString_NeverThrows(string? text)
    {
        var accepted = ProxyLink.TryParse(text ?? string.Empty, out var info);
        return accepted == (info is not null);
    }

    [FsCheck.Xunit.Property]
    public Property TryParse_MangledLink_NeverThrows() =>
        Prop.ForAll(
            SecretGen.NearSecretText.ToArbitrary(),
            Gen.Elements("tg://proxy?", "https://t.me/proxy?server=", "tg://proxy?secret=", "tg://proxy?port=").ToArbitrary(),
            (tail, head) =>
            {
                var accepted = ProxyLink.TryParse(head + tail.Replace(' ', '&'), out var info);
                return accepted == (info is not null);
            });

    private static Gen<string> ServerGen { get; } = Gen.OneOf(
        SecretGen.Domain,
        Gen.Choose(0, 255).ArrayOf(4).Select(o => string.Join('.', o)),
        Gen.Choose(0, 255).Select(b => (byte)b).ArrayOf(16).Select(b => new System.Net.IPAddress(b))
            .Where(a => !a.IsIPv4MappedToIPv6).Select(a => a.ToString()));

    private static Gen<(ProxySecret, string, int, LinkKind)> LinkPartsGen { get; } =
        from secret in SecretGen.Secret
        from server in ServerGen
        from port in Gen.Choose(1, 65535)
        from kind in Gen.Elements(LinkKind.Tg, LinkKind.TMe)
        select (secret, server, port, kind);
}
