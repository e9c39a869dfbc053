using System.Net;
using Gozar.Protocol.MiddleProxy;

namespace Gozar.Protocol.Tests.MiddleProxy;

public class ProxyConfigFileTests
{
    private const string Sample = """
        # force_probability 10 10
        default 2;
        proxy_for 1 149.154.175.50:8888;
        proxy_for -1 149.154.175.50:8888;
        proxy_for 2 149.154.161.144:8888;
        proxy_for 2 149.154.161.145:8888;
        proxy_for 203 91.105.192.100:443;
        proxy_for 4 [2001:b28:f23d:f001::d]:8888;
        timeout 500;
        """;

    [Fact]
    public void TryParse_Sample_ReadsClustersInOrderAndDefault()
    {
        Assert.Equal(ProxyConfigParseStatus.Ok, ProxyConfigFile.TryParse(Sample, out var config));

        Assert.Equal(2, config.DefaultDc);
        Assert.Equal([IPEndPoint.Parse("149.154.161.144:8888"), IPEndPoint.Parse("149.154.161.145:8888")], config.Clusters[2]);
        Assert.Equal(IPEndPoint.Parse("[2001:b28:f23d:f001::d]:8888"), Assert.Single(config.Clusters[4]));
        Assert.Single(config.Clusters[-1]);
    }

    [Theory]
    [InlineData(203, 203)]
    [InlineData(-1, -1)]
    [InlineData(-2, 2)]
    [InlineData(5, 2)]
    public void TryResolve_SignedId_ExactElseDefault(int dc, int cluster)
    {
        ProxyConfigFile.TryParse(Sample, out var config);

        Assert.True(config.TryResolve(dc, out var used, out var addresses));
        Assert.Equal(cluster, used);
        Assert.NotEmpty(addresses);
    }

    [Fact]
    public void TryParse_HtmlPage_IsNoProxies()
    {
        Assert.Equal(ProxyConfigParseStatus.NoProxies, ProxyConfigFile.TryParse("<html>502 Bad Gateway</html>", out _));
    }
}
