using Gozar.Protocol.MiddleProxy;
using static Gozar.Protocol.Tests.MiddleProxy.MiddleVectors;

namespace Gozar.Protocol.Tests.MiddleProxy;

public class MiddleKeyDerivationTests
{
    private static MiddleKeyInput Input(bool ipv6) => new()
    {
        ServerNonce = ServerNonce,
        ClientNonce = ClientNonce,
        CryptoTime = CryptoTime,
        ServerAddress = ipv6 ? MeIpv6 : MeIpv4,
        ServerPort = MePort,
        ClientAddress = ipv6 ? ProxyIpv6 : ProxyIpv4,
        ClientPort = ProxyPort,
        Secret = Secret,
    };

    [Fact]
    public void WriteInput_SpecVector_IsTheClientString()
    {
        var s = new byte[MiddleKeyDerivation.GetInputLength(Secret.Length, ipv6: false)];

        var written = MiddleKeyDerivation.WriteInput(Input(ipv6: false), MiddlePurpose.Client, s);

        Assert.Equal(214, written);
        Assert.Equal(ClientKdfString, Convert.ToHexStringLower(s));
    }

    [Theory]
    [InlineData(false, MiddlePurpose.Client, WriteKey, WriteIv)]
    [InlineData(false, MiddlePurpose.Server, ReadKey, ReadIv)]
    [InlineData(true, MiddlePurpose.Client, WriteKeyV6, WriteIvV6)]
    [InlineData(true, MiddlePurpose.Server, ReadKeyV6, ReadIvV6)]
    public void Derive_SpecVector_GivesTheSpecKeys(bool ipv6, MiddlePurpose purpose, string key, string iv)
    {
        var derivedKey = new byte[MiddleKeyDerivation.KeyLength];
        var derivedIv = new byte[MiddleKeyDerivation.IvLength];

        MiddleKeyDerivation.Derive(Input(ipv6), purpose, derivedKey, derivedIv);

        Assert.Equal(key, Convert.ToHexStringLower(derivedKey));
        Assert.Equal(iv, Convert.ToHexStringLower(derivedIv));
    }

    [Fact]
    public void GetInputLength_Ipv6_Adds32Bytes()
    {
        Assert.Equal(86 + 128, MiddleKeyDerivation.GetInputLength(128, ipv6: false));
        Assert.Equal(118 + 128, MiddleKeyDerivation.GetInputLength(128, ipv6: true));
    }
}
