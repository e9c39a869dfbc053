using System.Net;
using System.Text;
using Gozar.Protocol.ProxyProtocol;

namespace Gozar.Protocol.Tests.ProxyProtocol;

public class ProxyHeaderTests
{
    private static readonly IPEndPoint Source4 = IPEndPoint.Parse("192.0.2.10:51234");
    private static readonly IPEndPoint Destination4 = IPEndPoint.Parse("198.51.100.7:443");
    private static readonly IPEndPoint Source6 = IPEndPoint.Parse("[2001:db8::10]:51234");
    private static readonly IPEndPoint Destination6 = IPEndPoint.Parse("[2001:db8:1::7]:443");

    [Fact]
    public void Parse_V1Tcp4_GivesBothEndpointsAndLineLength()
    {
        var line = "PROXY TCP4 192.0.2.10 198.51.100.7 51234 443\r\n"u8.ToArray();

        var header = ProxyHeader.Parse([.. line, 0xef, 0xef]);

        Assert.Equal(ProxyHeaderStatus.Parsed, header.Status);
        Assert.Equal(1, header.Version);
        Assert.Equal(ProxyCommand.Proxy, header.Command);
        Assert.Equal(line.Length, header.Length);
        Assert.Equal(Source4, header.Source);
        Assert.Equal(Destination4, header.Destination);
    }

    [Fact]
    public void Parse_V1Tcp6_GivesBothEndpoints()
    {
        var header = ProxyHeader.Parse(ProxyHeaderBytes.V1(Source6, Destination6));

        Assert.Equal(ProxyHeaderStatus.Parsed, header.Status);
        Assert.Equal(Source6, header.Source);
        Assert.Equal(Destination6, header.Destination);
    }

    [Theory]
    [InlineData("PROXY UNKNOWN\r\n")]
    [InlineData("PROXY UNKNOWN ffff:f...f:ffff ffff:f...f:ffff 65535 65535\r\n")]
    public void Parse_V1Unknown_ParsedWithoutAddresses(string text)
    {
        var header = ProxyHeader.Parse(Encoding.ASCII.GetBytes(text));

        Assert.Equal(ProxyHeaderStatus.Parsed, header.Status);
        Assert.Equal(text.Length, header.Length);
        Assert.Null(header.Source);
        Assert.Null(header.Destination);
    }

    [Fact]
    public void Parse_V1OfTheLongestAllowedLength_Parsed()
    {
        // The spec's worst case: UNKNOWN followed by the longest TCP6 fields.
        var line = "PROXY UNKNOWN ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n";
        Assert.Equal(ProxyHeader.MaxV1Length, line.Length);

        Assert.Equal(ProxyHeaderStatus.Parsed, ProxyHeader.Parse(Encoding.ASCII.GetBytes(line)).Status);
    }

    [Fact]
    public void Parse_V1WithoutLineEndWithinMaximum_Invalid()
    {
        var text = "PROXY UNKNOWN " + new string('a', ProxyHeader.MaxV1Length) + "\r\n";

        Assert.Equal(ProxyHeaderStatus.Invalid, ProxyHeader.Parse(Encoding.ASCII.GetBytes(text)).Status);
    }

    [Theory]
    [InlineData("PROXY TCP4 192.0.2.10 198.51.100.7 51234 443\n")]
    [InlineData("PROXY TCP4 192.0.2.10 198.51.100.7 51234\r\n")]
    [InlineData("PROXY TCP4 192.0.2.10 198.51.100.7 51234 443 1\r\n")]
    [InlineData("PROXY TCP4 192.0.2.10  198.51.100.7 51234 443\r\n")]
    [InlineData("PROXY TCP4 192.0.2.010 198.51.100.7 51234 443\r\n")]
    [InlineData("PROXY TCP4 192.0.2.256 198.51.100.7 51234 443\r\n")]
    [InlineData("PROXY TCP4 192.0.2 198.51.100.7 51234 443\r\n")]
    [InlineData("PROXY TCP4 192.0.2.10 198.51.100.7 65536 443\r\n")]
    [InlineData("PROXY TCP4 192.0.2.10 198.51.100.7 051234 443\r\n")]
    [InlineData("PROXY TCP4 192.0.2.10 198.51.100.7 -1 443\r\n")]
    [InlineData("PROXY TCP4 2001:db8::10 198.51.100.7 51234 443\r\n")]
    [InlineData("PROXY TCP6 192.0.2.10 2001:db8::7 51234 443\r\n")]
    [InlineData("PROXY TCP6 2001:db8::10%eth0 2001:db8::7 51234 443\r\n")]
    [InlineData("PROXY UDP4 192.0.2.10 198.51.100.7 51234 443\r\n")]
    [InlineData("PROXY tcp4 192.0.2.10 198.51.100.7 51234 443\r\n")]
    [InlineData("PROXY  TCP4 192.0.2.10 198.51.100.7 51234 443\r\n")]
    [InlineData("PROXY\r\n")]
    [InlineData("PROXY \r\n")]
    [InlineData("PROXX TCP4")]
    [InlineData("PROXY TCP4 192.0.2.10\t198.51.100.7 51234 443\r\n")]
    [InlineData("GET / HTTP/1.1\r\n")]
    public void Parse_MalformedV1_Invalid(string text)
    {
        Assert.Equal(ProxyHeaderStatus.Invalid, ProxyHeader.Parse(Encoding.ASCII.GetBytes(text)).Status);
    }

    [Fact]
    public void Parse_EveryProperPrefixOfAHeader_NeedsMore()
    {
        byte[][] headers =
        [
            ProxyHeaderBytes.V1(Source4, Destination4),
            ProxyHeaderBytes.V1(Source6, Destination6),
            ProxyHeaderBytes.V2(Source4, Destination4),
            ProxyHeaderBytes.V2(Source6, Destination6, ProxyHeaderBytes.Tlv(0x04, 10)),
            ProxyHeaderBytes.V2Local(),
        ];

        foreach (var header in headers)
        {
            for (var cut = 0; cut < header.Length; cut++)
            {
                Assert.Equal(ProxyHeaderStatus.NeedMore, ProxyHeader.Parse(header.AsSpan(0, cut)).Status);
            }

            Assert.Equal(ProxyHeaderStatus.Parsed, ProxyHeader.Parse(header).Status);
        }
    }

    [Theory]
    [InlineData(new byte[] { 0x16, 0x03, 0x01 })]
    [InlineData(new byte[] { 0xef })]
    [InlineData(new byte[] { 0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x55 })]
    public void Parse_NeitherSignature_Invalid(byte[] data)
    {
        Assert.Equal(ProxyHeaderStatus.Invalid, ProxyHeader.Parse(data).Status);
    }

    [Fact]
    public void Parse_V2Inet_GivesBothEndpoints()
    {
        var bytes = ProxyHeaderBytes.V2(Source4, Destination4);

        var header = ProxyHeader.Parse([.. bytes, 0x16, 0x03]);

        Assert.Equal(ProxyHeaderStatus.Parsed, header.Status);
        Assert.Equal(2, header.Version);
        Assert.Equal(ProxyCommand.Proxy, header.Command);
        Assert.Equal(16 + 12, header.Length);
        Assert.Equal(Source4, header.Source);
        Assert.Equal(Destination4, header.Destination);
    }

    [Fact]
    public void Parse_V2Inet6WithTlvs_SkipsTheTlvs()
    {
        byte[] tlvs = [.. ProxyHeaderBytes.Tlv(0x01, 2), .. ProxyHeaderBytes.Tlv(0xea, 300), .. ProxyHeaderBytes.Tlv(0x04, 0)];
        var bytes = ProxyHeaderBytes.V2(Source6, Destination6, tlvs);

        var header = ProxyHeader.Parse(bytes);

        Assert.Equal(ProxyHeaderStatus.Parsed, header.Status);
        Assert.Equal(bytes.Length, header.Length);
        Assert.Equal(Source6, header.Source);
        Assert.Equal(Destination6, header.Destination);
    }

    [Theory]
    [InlineData(0x00)]
    [InlineData(0x11)]
    [InlineData(0x21)]
    public void Parse_V2Local_ParsedWithoutAddresses(byte family)
    {
        var bytes = ProxyHeaderBytes.V2Local(family, family == 0 ? [] : new byte[12]);

        var header = ProxyHeader.Parse(bytes);

        Assert.Equal(ProxyHeaderStatus.Parsed, header.Status);
        Assert.Equal(ProxyCommand.Local, header.Command);
        Assert.Equal(bytes.Length, header.Length);
        Assert.Null(header.Source);
    }

    [Theory]
    [InlineData(0x00, 0)]
    [InlineData(0x00, 5)]
    [InlineData(0x31, 216)]
    [InlineData(0x12, 12)]
    public void Parse_V2ProxyWithoutAnInetStream_ParsedWithoutAddresses(byte family, int bodyLength)
    {
        var bytes = ProxyHeaderBytes.V2Raw(0x21, family, new byte[bodyLength]);

        var header = ProxyHeader.Parse(bytes);

        Assert.Equal(ProxyHeaderStatus.Parsed, header.Status);
        Assert.Equal(ProxyCommand.Proxy, header.Command);
        Assert.Equal(bytes.Length, header.Length);
        Assert.Null(header.Source);
        Assert.Null(header.Destination);
    }

    [Theory]
    [InlineData(0x11, 0x11, 12)] // version 1 in the binary form
    [InlineData(0x22, 0x11, 12)] // command 2
    [InlineData(0x21, 0x41, 12)] // family 4
    [InlineData(0x21, 0x13, 12)] // transport 3
    [InlineData(0x21, 0x01, 12)] // UNSPEC family with a transport
    [InlineData(0x21, 0x10, 12)] // INET without a transport
    [InlineData(0x21, 0x11, 11)] // too short for two IPv4 addresses and ports
    [InlineData(0x21, 0x21, 35)] // too short for two IPv6 addresses and ports
    [InlineData(0x21, 0x31, 215)] // too short for two UNIX paths
    [InlineData(0x21, 0x11, 13)] // one byte of TLV header
    [InlineData(0x21, 0x11, 14)] // two bytes of TLV header
    public void Parse_MalformedV2_Invalid(byte versionCommand, byte family, int bodyLength)
    {
        Assert.Equal(ProxyHeaderStatus.Invalid, ProxyHeader.Parse(ProxyHeaderBytes.V2Raw(versionCommand, family, new byte[bodyLength])).Status);
    }

    [Fact]
    public void Parse_V2TlvLongerThanTheBlock_Invalid()
    {
        var tlv = ProxyHeaderBytes.Tlv(0x01, 4);
        var bytes = ProxyHeaderBytes.V2(Source4, Destination4, tlv[..^1]);

        Assert.Equal(ProxyHeaderStatus.Invalid, ProxyHeader.Parse(bytes).Status);
    }

    [Fact]
    public void Parse_V2LongerThanTheLimit_InvalidBeforeItArrives()
    {
        var bytes = ProxyHeaderBytes.V2(Source4, Destination4, ProxyHeaderBytes.Tlv(0x04, 1000));

        Assert.Equal(ProxyHeaderStatus.Invalid, ProxyHeader.Parse(bytes.AsSpan(0, 16), maxLength: 1000).Status);
        Assert.Equal(ProxyHeaderStatus.Parsed, ProxyHeader.Parse(bytes, maxLength: bytes.Length).Status);
    }

    [Fact]
    public void Parse_V2WrongVersionInAPartialHeader_InvalidAtOnce()
    {
        Assert.Equal(ProxyHeaderStatus.Invalid, ProxyHeader.Parse([.. ProxyHeaderBytes.Signature, 0x31]).Status);
    }
}
