using Gozar.Configuration;

namespace Gozar.Tests.Configuration;

public sealed class ValueSyntaxTests
{
    [Theory]
    [InlineData("500ms", 500)]
    [InlineData("10s", 10_000)]
    [InlineData("5m", 300_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData("7d", 604_800_000)]
    [InlineData("0s", 0)]
    [InlineData("0000000000000000000000001s", 1_000)]
    [InlineData("0000000000000000000000000m", 0)]
    public void DurationTryParse_UnitSpellings_GiveMilliseconds(string text, long milliseconds)
    {
        Assert.True(DurationSyntax.TryParse(text, out var value));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("10")]
    [InlineData("s")]
    [InlineData("1.5s")]
    [InlineData("10S")]
    [InlineData("1h30m")]
    [InlineData(" 10s")]
    public void DurationTryParse_OtherText_IsRefused(string text)
    {
        Assert.False(DurationSyntax.TryParse(text, out _));
    }

    [Theory]
    [InlineData(100, "100ms")]
    [InlineData(90_000, "90s")]
    [InlineData(300_000, "5m")]
    [InlineData(86_400_000, "1d")]
    public void DurationFormat_Value_RoundTrips(long milliseconds, string expected)
    {
        var value = TimeSpan.FromMilliseconds(milliseconds);

        var text = DurationSyntax.Format(value);

        Assert.Equal(expected, text);
        Assert.True(DurationSyntax.TryParse(text, out var parsed));
        Assert.Equal(value, parsed);
    }

    [Theory]
    [InlineData("4096", 4096)]
    [InlineData("16KiB", 16 * 1024)]
    [InlineData("1mib", 1024 * 1024)]
    [InlineData("50GiB", 50L * 1024 * 1024 * 1024)]
    [InlineData("2TiB", 2L * 1024 * 1024 * 1024 * 1024)]
    [InlineData("5000000000000", 5_000_000_000_000)]
    [InlineData("8388607TiB", 8_388_607L * 1024 * 1024 * 1024 * 1024)]
    public void ByteSizeTryParse_Spellings_GiveBytes(string text, long bytes)
    {
        Assert.True(ByteSizeSyntax.TryParse(text, out var value));
        Assert.Equal(bytes, value);
    }

    [Theory]
    [InlineData("16KB")]
    [InlineData("16 KiB")]
    [InlineData("KiB")]
    [InlineData("1.5MiB")]
    public void ByteSizeTryParse_OtherText_IsRefused(string text)
    {
        Assert.False(ByteSizeSyntax.TryParse(text, out _));
        Assert.False(ByteSizeSyntax.IsTooLarge(text));
    }

    [Theory]
    [InlineData("8388608TiB")]
    [InlineData("999999999999TiB")]
    [InlineData("9223372036854775808")]
    [InlineData("99999999999999999999999")]
    public void ByteSizeTryParse_MoreThanALong_IsTooLarge(string text)
    {
        Assert.False(ByteSizeSyntax.TryParse(text, out _));
        Assert.True(ByteSizeSyntax.IsTooLarge(text));
    }

    [Theory]
    [InlineData("9999999999999999s")]
    [InlineData("99999999999999999999999999ms")]
    public void DurationTryParse_MoreDigitsThanAnyDuration_Saturates(string text)
    {
        Assert.True(DurationSyntax.TryParse(text, out var value));
        Assert.Equal(TimeSpan.MaxValue, value);
    }

    [Theory]
    [InlineData("00112233445566778899aabbccddeeff")]
    [InlineData("00112233445566778899AABBCCDDEEFF")]
    [InlineData("dd00112233445566778899aabbccddeeff")]
    [InlineData("ee00112233445566778899aabbccddeeff6578616d706c652e636f6d")]
    [InlineData("ABEiM0RVZneImaq7zN3u_w")]
    [InlineData("3QARIjNEVWZ3iJmqu8zd7v8")]
    [InlineData("7gARIjNEVWZ3iJmqu8zd7v9leGFtcGxlLmNvbQ")]
    public void UserSecretTryParseKey_SpecForms_GiveTheKey(string text)
    {
        Assert.True(UserSecretSyntax.TryParseKey(text, out var key));
        Assert.Equal(Convert.FromHexString("00112233445566778899aabbccddeeff"), key);
    }

    [Theory]
    [InlineData("")]
    [InlineData("00112233445566778899aabbccddee")]
    [InlineData("00112233445566778899aabbccddeeff00")]
    [InlineData("dd00112233445566778899aabbccddeeff00")]
    [InlineData("00112233445566778899aabbccddeef")]
    [InlineData("ABEiM0RVZneImaq7zN3u")]
    [InlineData("not a secret at all")]
    [InlineData("0011223344556677889")]
    public void UserSecretTryParseKey_OtherText_IsRefused(string text)
    {
        Assert.False(UserSecretSyntax.TryParseKey(text, out _));
    }

    [Theory]
    [InlineData("1.2.3.4", true)]
    [InlineData("0.0.0.0", true)]
    [InlineData("255.255.255.255", true)]
    [InlineData("1", false)]
    [InlineData("1.2.3", false)]
    [InlineData("010.0.0.1", false)]
    [InlineData("0x7f.0.0.1", false)]
    [InlineData("1.2.3.256", false)]
    [InlineData("1.2.3.4.5", false)]
    public void HostTryParseIPv4_DottedQuadOnly(string text, bool expected)
    {
        Assert.Equal(expected, HostSyntax.TryParseIPv4(text, out _));
    }

    [Theory]
    [InlineData("::1", true)]
    [InlineData("2001:db8::1", true)]
    [InlineData("[::1]", false)]
    [InlineData("[::1]:80", false)]
    [InlineData("1.2.3.4", false)]
    [InlineData(":::", false)]
    public void HostTryParseIPv6_BareLiteralOnly(string text, bool expected)
    {
        Assert.Equal(expected, HostSyntax.TryParseIPv6(text, out _));
    }

    [Theory]
    [InlineData("example.com", true)]
    [InlineData("a", true)]
    [InlineData("xn--bcher-kva.example", true)]
    [InlineData("123.example.com", true)]
    [InlineData("-a.com", false)]
    [InlineData("a-.com", false)]
    [InlineData("a..com", false)]
    [InlineData("a_b.com", false)]
    [InlineData("1.2.3.4", false)]
    [InlineData("example.com.", false)]
    [InlineData("", false)]
    public void HostIsHostName_Rfc1123Labels(string text, bool expected)
    {
        Assert.Equal(expected, HostSyntax.IsHostName(text));
    }

    [Fact]
    public void HostIsHostName_LabelOver63Characters_IsRefused()
    {
        Assert.True(HostSyntax.IsHostName(new string('a', 63) + ".com"));
        Assert.False(HostSyntax.IsHostName(new string('a', 64) + ".com"));
    }

    [Theory]
    [InlineData("example.com:443", "example.com", 443)]
    [InlineData("EXAMPLE.com:1", "example.com", 1)]
    [InlineData("127.0.0.1:65535", "127.0.0.1", 65535)]
    [InlineData("[2001:DB8::1]:443", "2001:db8::1", 443)]
    public void HostTryParseHostPort_ValidForms_Split(string text, string host, int port)
    {
        Assert.Null(HostSyntax.TryParseHostPort(text, out var parsedHost, out var parsedPort));
        Assert.Equal(host, parsedHost);
        Assert.Equal(port, parsedPort);
    }

    [Theory]
    [InlineData("Port 443 `00112233445566778899aabbccddeeff`", "Port 443 `<hidden>`")]
    [InlineData("found `abcdef` while expecting token `newline`", "found `<hidden>` while expecting token `newline`")]
    [InlineData("the key `alice` is defined", "the key `alice` is defined")]
    [InlineData("users.00112233445566778899aabbccddeeff: x", "users.<hidden>: x")]
    [InlineData("value 99999999999999999 is out of range", "value 99999999999999999 is out of range")]
    [InlineData("limits.relay_buffer: -9876543210 is out of range (1 .. 10)", "limits.relay_buffer: -9876543210 is out of range (1 .. 10)")]
    [InlineData("unknown key 'x0011223344'", "unknown key 'x<hidden>'")]
    [InlineData("log_level: 'fedcba9876' is not one of", "log_level: '<hidden>' is not one of")]
    [InlineData("x: '[::1]:4400112233445' has an invalid port", "x: '[::1]:<hidden>' has an invalid port")]
    public void Redact_HexRuns_AreHidden(string message, string expected)
    {
        Assert.Equal(expected, ConfigText.Redact(message));
    }
}
