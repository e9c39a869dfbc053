using System.Net;
using Gozar.Configuration;
using static Gozar.Tests.Configuration.TomlSamples;

namespace Gozar.Tests.Configuration;

public sealed class ConfigLoaderProxyProtocolTests
{
    private const string TwoListeners = "listen = [\"0.0.0.0:8443\", \"[::]:8443\"]";

    [Fact]
    public void Load_NoSection_NoListenerExpectsAHeader()
    {
        var options = LoadValid(Config());

        Assert.Empty(options.ProxyProtocol.Listeners);
        Assert.Empty(options.ProxyProtocol.Trusted);
        Assert.Equal(4096, options.ProxyProtocol.MaxHeaderBytes);
    }

    [Fact]
    public void Load_FullSection_BindsListenersNetworksAndLimit()
    {
        var options = LoadValid(Config(top: TwoListeners, tables: """
            [proxy_protocol]
            listeners = ["[::]:8443"]
            trusted = ["10.0.0.0/8", "127.0.0.1/32", "::1/128", "192.0.2.7", "fd00::/8"]
            max_header = "1KiB"
            """));

        var proxy = options.ProxyProtocol;
        Assert.Equal([IPEndPoint.Parse("[::]:8443")], proxy.Listeners);
        Assert.Equal(["10.0.0.0/8", "127.0.0.1/32", "::1/128", "192.0.2.7/32", "fd00::/8"], proxy.Trusted.Select(n => n.ToString()));
        Assert.Equal(1024, proxy.MaxHeaderBytes);
        Assert.True(proxy.Trusts(IPAddress.Parse("10.200.3.4")));
        Assert.True(proxy.Trusts(IPAddress.Parse("::ffff:10.1.1.1")));
        Assert.True(proxy.Trusts(IPAddress.Parse("fdab::1")));
        Assert.False(proxy.Trusts(IPAddress.Parse("127.0.0.2")));
        Assert.False(proxy.Trusts(IPAddress.Parse("::2")));
        Assert.False(proxy.Trusts(null));
    }

    [Theory]
    [InlineData("trusted = [\"10.0.0.0/8\"]", "proxy_protocol.listeners: needs at least one of the listen addresses")]
    [InlineData("listeners = []\ntrusted = [\"10.0.0.0/8\"]", "proxy_protocol.listeners: needs at least one of the listen addresses")]
    [InlineData("listeners = \"0.0.0.0:8443\"\ntrusted = [\"10.0.0.0/8\"]", "proxy_protocol.listeners: expected an array of strings, got a string")]
    [InlineData("listeners = [8443]\ntrusted = [\"10.0.0.0/8\"]", "proxy_protocol.listeners[0]: expected a string, got an integer")]
    [InlineData("listeners = [\"0.0.0.0:9443\"]\ntrusted = [\"10.0.0.0/8\"]", "proxy_protocol.listeners[0]: '0.0.0.0:9443' is not one of the addresses in listen")]
    [InlineData("listeners = [\"0.0.0.0\"]\ntrusted = [\"10.0.0.0/8\"]", "proxy_protocol.listeners[0]: '0.0.0.0' has no port")]
    [InlineData("listeners = [\"0.0.0.0:8443\", \"0.0.0.0:8443\"]\ntrusted = [\"10.0.0.0/8\"]", "proxy_protocol.listeners[1]: '0.0.0.0:8443' is listed twice")]
    [InlineData("listeners = [\"0.0.0.0:8443\"]", "proxy_protocol.trusted: needs at least one network of your load balancers")]
    [InlineData("listeners = [\"0.0.0.0:8443\"]\ntrusted = []", "proxy_protocol.trusted: needs at least one network of your load balancers")]
    [InlineData("listeners = [\"0.0.0.0:8443\"]\ntrusted = \"10.0.0.0/8\"", "proxy_protocol.trusted: expected an array of strings, got a string")]
    [InlineData("listeners = [\"0.0.0.0:8443\"]\ntrusted = [\"10.0.0.1/8\"]", "proxy_protocol.trusted[0]: '10.0.0.1/8' has address bits set after the prefix (did you mean '10.0.0.0/8'?)")]
    [InlineData("listeners = [\"0.0.0.0:8443\"]\ntrusted = [\"::1/64\"]", "proxy_protocol.trusted[0]: '::1/64' has address bits set after the prefix (did you mean '::/64'?)")]
    [InlineData("listeners = [\"0.0.0.0:8443\"]\ntrusted = [\"10.0.0.0/33\"]", "proxy_protocol.trusted[0]: '10.0.0.0/33' has a prefix length that is not 0 .. 32")]
    [InlineData("listeners = [\"0.0.0.0:8443\"]\ntrusted = [\"::/129\"]", "proxy_protocol.trusted[0]: '::/129' has a prefix length that is not 0 .. 128")]
    [InlineData("listeners = [\"0.0.0.0:8443\"]\ntrusted = [\"10.0.0.0/\"]", "proxy_protocol.trusted[0]: '10.0.0.0/' has a prefix length that is not 0 .. 32")]
    [InlineData("listeners = [\"0.0.0.0:8443\"]\ntrusted = [\"10.0.0.0/-8\"]", "proxy_protocol.trusted[0]: '10.0.0.0/-8' has a prefix length that is not 0 .. 32")]
    [InlineData("listeners = [\"0.0.0.0:8443\"]\ntrusted = [\"lb.example.org/32\"]", "proxy_protocol.trusted[0]: 'lb.example.org/32' is not an IP network, e.g. '10.0.0.0/8', '127.0.0.1/32' or '::1/128'")]
    [InlineData("listeners = [\"0.0.0.0:8443\"]\ntrusted = [\"10.0.0.0/8\", \"[::1]/128\"]", "proxy_protocol.trusted[1]: '[::1]/128' is not an IP network")]
    [InlineData("listeners = [\"0.0.0.0:8443\"]\ntrusted = [\"10.0.0.0/8\"]\nmax_header = 100", "proxy_protocol.max_header: 100 is out of range (256 .. 32KiB)")]
    [InlineData("listeners = [\"0.0.0.0:8443\"]\ntrusted = [\"10.0.0.0/8\"]\nmax_header = \"lots\"", "proxy_protocol.max_header: 'lots' is not")]
    [InlineData("listeners = [\"0.0.0.0:8443\"]\ntrusted_networks = [\"10.0.0.0/8\"]", "unknown key 'proxy_protocol.trusted_networks'")]
    public void Load_BadProxyProtocolValue_NamesTheKey(string body, string expected)
    {
        var error = LoadError(Config(tables: $"[proxy_protocol]\n{body}"), "proxy_protocol");

        Assert.StartsWith(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_ProxyProtocolNotATable_SaysSo()
    {
        var error = LoadError(Config(top: $"{ListenLine}\nproxy_protocol = true"), "proxy_protocol");

        Assert.Equal("proxy_protocol: expected a table, got a boolean", error);
    }
}
