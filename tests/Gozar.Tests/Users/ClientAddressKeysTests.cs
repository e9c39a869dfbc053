using System.Net;
using System.Security.Cryptography;
using Gozar.Users;

namespace Gozar.Tests.Users;

public class ClientAddressKeysTests
{
    private static readonly byte[] Salt = [.. Enumerable.Range(1, ClientAddressKeys.SaltLength).Select(i => (byte)(i * 7))];

    [Theory]
    [InlineData("203.0.113.9")]
    [InlineData("2001:db8::17")]
    public void KeyOf_HashedAddress_IsTheSaltedHmacStateFilesHold(string address)
    {
        var keys = new ClientAddressKeys(Salt, plain: false);
        var parsed = IPAddress.Parse(address);
        var expected = "h:" + Convert.ToBase64String(HMACSHA256.HashData(Salt, parsed.GetAddressBytes())[..12]);

        Assert.Equal(expected, keys.KeyOf(parsed));
        Assert.Equal(expected, keys.KeyOf(parsed));
    }

    [Fact]
    public void KeyOf_MappedIPv4_KeysLikeIPv4()
    {
        var keys = new ClientAddressKeys(Salt, plain: false);

        Assert.Equal(keys.KeyOf(IPAddress.Parse("198.51.100.4")), keys.KeyOf(IPAddress.Parse("::ffff:198.51.100.4")));
    }

    [Fact]
    public void KeyOf_PlainOrMissing_AddressOrDash()
    {
        var keys = new ClientAddressKeys(Salt, plain: true);

        Assert.Equal("198.51.100.4", keys.KeyOf(IPAddress.Parse("198.51.100.4")));
        Assert.Equal("-", keys.KeyOf(null));
    }
}
