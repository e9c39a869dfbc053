using FsCheck;
using FsCheck.Fluent;
using Gozar.Protocol.Secrets;

namespace Gozar.Protocol.Tests.Secrets;

public class ProxySecretTests
{
    private const string KeyHex = "00112233445566778899aabbccddeeff";
    private const string SpecFakeTlsHex = "ee00112233445566778899aabbccddeeff6578616d706c652e636f6d";
    private const string SpecFakeTlsBase64Url = "7gARIjNEVWZ3iJmqu8zd7v9leGFtcGxlLmNvbQ";

    private static readonly byte[] SpecKey = Convert.FromHexString(KeyHex);

    [Fact]
    public void TryParse_SpecFakeTlsHex_GivesKeyAndDomain()
    {
        Assert.True(ProxySecret.TryParse(SpecFakeTlsHex, out var secret));

        Assert.Equal(SecretKind.FakeTls, secret.Kind);
        Assert.Equal(SpecKey, secret.Key.ToArray());
        Assert.Equal("example.com", secret.Domain);
    }

    [Fact]
    public void TryParse_SpecFakeTlsBase64Url_EqualsHexForm()
    {
        Assert.True(ProxySecret.TryParse(SpecFakeTlsBase64Url, out var secret));

        Assert.Equal(ProxySecret.FakeTls(SpecKey, "example.com"), secret);
    }

    [Fact]
    public void ToBase64Url_SpecFakeTls_MatchesSpec()
    {
        var secret = ProxySecret.FakeTls(SpecKey, "example.com");

        Assert.Equal(SpecFakeTlsBase64Url, secret.ToBase64Url());
        Assert.Equal(SpecFakeTlsHex, secret.ToHex());
    }

    [Fact]
    public void ToHex_ClassicAndSecure_MatchSpecSpelling()
    {
        Assert.Equal(KeyHex, ProxySecret.Classic(SpecKey).ToHex());
        Assert.Equal("dd" + KeyHex, ProxySecret.Secure(SpecKey).ToHex());
    }

    [Fact]
    public void TryParse_ClassicHex_IsClassic()
    {
        Assert.True(ProxySecret.TryParse(KeyHex, out var secret));

        Assert.Equal(SecretKind.Classic, secret.Kind);
        Assert.Equal(SpecKey, secret.Key.ToArray());
        Assert.Null(secret.Domain);
    }

    [Fact]
    public void TryParse_SecureHex_IsSecure()
    {
        Assert.True(ProxySecret.TryParse("dd" + KeyHex, out var secret));

        Assert.Equal(ProxySecret.Secure(SpecKey), secret);
    }

    [Fact]
    public void TryParse_UpperCaseHex_IsAcceptedAndPrintedLowerCase()
    {
        Assert.True(ProxySecret.TryParse(SpecFakeTlsHex.ToUpperInvariant(), out var secret));

        Assert.Equal("example.com", secret.Domain);
        Assert.Equal(SpecFakeTlsHex, secret.ToHex());
    }

    [Fact]
    public void TryParse_UpperCaseDomainBytes_KeepsDomainCase()
    {
        Assert.True(ProxySecret.TryParse(FakeTlsHex("Example.COM"), out var secret));

        Assert.Equal("Example.COM", secret.Domain);
        Assert.Equal(FakeTlsHex("Example.COM"), secret.ToHex());
    }

    [Fact]
    public void TryParse_Base64UrlWithCorrectPadding_IsAccepted()
    {
        Assert.True(ProxySecret.TryParse(SpecFakeTlsBase64Url + "==", out var secret));

        Assert.Equal(ProxySecret.FakeTls(SpecKey, "example.com"), secret);
    }

    [Theory]
    [InlineData("=")]
    [InlineData("===")]
    public void TryParse_Base64UrlWithWrongPadding_IsBadEncoding(string padding)
    {
        AssertRejected(SpecFakeTlsBase64Url + padding, SecretParseError.BadEncoding);
    }

    [Fact]
    public void TryParse_Base64UrlWithNonZeroTrailingBits_IsBadEncoding()
    {
        var text = ProxySecret.Classic(Filled(0xff)).ToBase64Url();
        Assert.Equal("_____________________w", text);

        AssertRejected(text[..^1] + "x", SecretParseError.BadEncoding);
    }

    [Theory]
    [InlineData(0xff, '_', '/')]
    [InlineData(0xfb, '-', '+')]
    public void TryParse_StandardBase64Alphabet_IsBadEncoding(byte fill, char urlChar, char standardChar)
    {
        var text = ProxySecret.Classic(Filled(fill)).ToBase64Url();
        Assert.Contains(urlChar, text);

        AssertRejected(text.Replace(urlChar, standardChar), SecretParseError.BadEncoding);
    }

    [Theory]
    [InlineData("00112233445566778899aabbccddee")] // 15 bytes
    [InlineData("")]
    public void TryParse_FewerThan16Bytes_IsTooShort(string text)
    {
        AssertRejected(text, SecretParseError.TooShort);
    }

    [Theory]
    [InlineData(KeyHex + "00")] // 17 bytes, not 0xdd: garbage after a classic key
    [InlineData(KeyHex + "0000")] // 18 bytes classic with garbage
    [InlineData("dd" + KeyHex + "00")] // "long dd": Desktop rejects, Android truncates
    [InlineData("dd" + KeyHex + KeyHex)]
    [InlineData("ee" + KeyHex)] // 17 bytes starting 0xee: tdlib wants at least 18
    public void TryParse_NoLayoutMatches_IsUnsupportedLayout(string text)
    {
        AssertRejected(text, SecretParseError.UnsupportedLayout);
    }

    [Fact]
    public void TryParse_DdPlus15Bytes_IsA16ByteClassicKey()
    {
        // 16 bytes are a classic key whatever the first byte, for tdlib and Desktop alike.
        var text = "dd" + KeyHex[..30];

        Assert.True(ProxySecret.TryParse(text, out var secret));

        Assert.Equal(SecretKind.Classic, secret.Kind);
        Assert.Equal(0xdd, secret.Key[0]);
    }

    [Theory]
    [InlineData("0011223344556677 8899aabbccddeeff")]
    [InlineData("00112233445566778899aabbccddeef!")]
    [InlineData("0x00112233445566778899aabbccddeeff")]
    public void TryParse_NeitherHexNorBase64Url_IsBadEncoding(string text)
    {
        AssertRejected(text, SecretParseError.BadEncoding);
    }

    [Theory]
    [InlineData("a")]
    [InlineData("abc")]
    public void TryParse_DomainUnderFourCharacters_IsDomainTooShort(string domain)
    {
        AssertRejected(FakeTlsHex(domain), SecretParseError.DomainTooShort);
    }

    [Fact]
    public void TryParse_DomainOver182Characters_IsDomainTooLong()
    {
        AssertRejected(FakeTlsHex(LongDomain(183)), SecretParseError.DomainTooLong);
    }

    [Fact]
    public void TryParse_Domain182Characters_IsAccepted()
    {
        var domain = LongDomain(182);

        Assert.True(ProxySecret.TryParse(FakeTlsHex(domain), out var secret));
        Assert.Equal(domain, secret.Domain);
    }

    [Theory]
    [InlineData("bad_name.com")]
    [InlineData("exa mple.com")]
    [InlineData("-example.com")]
    [InlineData("example..com")]
    [InlineData("example.com.")]
    [InlineData("1.2.3.4")]
    public void TryParse_DomainNotAHostName_IsInvalidDomain(string domain)
    {
        AssertRejected(FakeTlsHex(domain), SecretParseError.InvalidDomain);
    }

    [Fact]
    public void TryParse_DomainWithNonAsciiByte_IsInvalidDomain()
    {
        AssertRejected("ee" + KeyHex + "6578c3a96d706c652e636f6d", SecretParseError.InvalidDomain);
    }

    [Fact]
    public void TryParse_AllZeroClassicKeyInBase64Url_IsReadAsHexLikeTdlib()
    {
        // "AAAA…" (22 characters) is valid hex, so tdlib decodes 11 bytes and never tries base64url.
        var text = ProxySecret.Classic(new byte[16]).ToBase64Url();

        AssertRejected(text, SecretParseError.TooShort);
    }

    [Fact]
    public void Classic_SourceArrayChangedAfterwards_KeyUnchanged()
    {
        var key = (byte[])SpecKey.Clone();
        var secret = ProxySecret.Classic(key);

        key[0] ^= 0xff;

        Assert.Equal(SpecKey, secret.Key.ToArray());
    }

    [Theory]
    [InlineData(15)]
    [InlineData(17)]
    [InlineData(0)]
    public void Factories_KeyNot16Bytes_Throw(int length)
    {
        var key = new byte[length];

        Assert.Throws<ArgumentException>(() => ProxySecret.Classic(key));
        Assert.Throws<ArgumentException>(() => ProxySecret.Secure(key));
        Assert.Throws<ArgumentException>(() => ProxySecret.FakeTls(key, "example.com"));
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("bad_name.com")]
    [InlineData("пример.рф")]
    public void FakeTls_UnusableDomain_Throws(string domain)
    {
        Assert.Throws<ArgumentException>(() => ProxySecret.FakeTls(SpecKey, domain));
    }

    [Theory]
    [InlineData("a.io", true)]
    [InlineData("xn--e1afmkfd.xn--p1ai", true)]
    [InlineData("Example-1.COM", true)]
    [InlineData("a.b", false)]
    [InlineData("example.123", false)]
    [InlineData("example-.com", false)]
    public void IsValidDomain_Cases_MatchRules(string domain, bool expected)
    {
        Assert.Equal(expected, ProxySecret.IsValidDomain(domain));
    }

    [Fact]
    public void IsValidDomain_LabelOver63Characters_IsFalse()
    {
        Assert.True(ProxySecret.IsValidDomain(new string('a', 63) + ".com"));
        Assert.False(ProxySecret.IsValidDomain(new string('a', 64) + ".com"));
    }

    [Fact]
    public void Equals_DifferentKindKeyOrDomain_IsFalse()
    {
        var other = Filled(1);
        var secret = ProxySecret.FakeTls(SpecKey, "example.com");

        Assert.Equal(ProxySecret.FakeTls(SpecKey, "example.com"), secret);
        Assert.NotEqual(ProxySecret.FakeTls(SpecKey, "example.org"), secret);
        Assert.NotEqual(ProxySecret.FakeTls(other, "example.com"), secret);
        Assert.NotEqual(ProxySecret.Classic(SpecKey), ProxySecret.Secure(SpecKey));
    }

    [Fact]
    public void ToString_FakeTls_DoesNotContainKey()
    {
        var text = ProxySecret.FakeTls(SpecKey, "example.com").ToString();

        Assert.DoesNotContain("aabbcc", text, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("example.com", text);
    }

    [Theory]
    [InlineData(KeyHex)]
    [InlineData("00112233445566778899AABBCCDDEEFF")]
    public void TryParseKey_32HexDigits_GivesKey(string text)
    {
        Assert.True(ProxySecret.TryParseKey(text, out var key));

        Assert.Equal(SpecKey, key);
    }

    [Theory]
    [InlineData("00112233445566778899aabbccddee")]
    [InlineData(KeyHex + "00")]
    [InlineData("dd" + KeyHex)]
    [InlineData(SpecFakeTlsHex)]
    [InlineData("ABEiM0RVZneImaq7zN3u_w")]
    [InlineData("00112233445566778899aabbccddeefg")]
    [InlineData("")]
    public void TryParseKey_AnythingButExactly32Hex_IsFalse(string text)
    {
        Assert.False(ProxySecret.TryParseKey(text, out var key));

        Assert.Empty(key);
    }

    [FsCheck.Xunit.Property]
    public Property ToHex_AnySecret_ParsesBack() =>
        Prop.ForAll(SecretGen.Secret.ToArbitrary(), secret =>
            ProxySecret.TryParse(secret.ToHex(), out var parsed) && parsed.Equals(secret));

    [FsCheck.Xunit.Property]
    public Property ToBase64Url_AnySecretNotSpelledInHexDigits_ParsesBack() =>
        Prop.ForAll(SecretGen.Secret.ToArbitrary(), secret =>
        {
            var text = secret.ToBase64Url();
            return (ProxySecret.TryParse(text, out var parsed) && parsed.Equals(secret)).When(!IsAllHex(text));
        });

    [FsCheck.Xunit.Property]
    public Property ToBase64Url_AnySecret_HasNoPaddingAndUrlAlphabet() =>
        Prop.ForAll(SecretGen.Secret.ToArbitrary(), secret =>
        {
            var text = secret.ToBase64Url();
            return !text.Contains('=') && !text.Contains('+') && !text.Contains('/');
        });

    [FsCheck.Xunit.Property]
    public bool TryParse_AnyString_NeverThrowsAndAgreesWithError(string? text)
    {
        var accepted = ProxySecret.TryParse(text ?? string.Empty, out var secret, out var error);
        return accepted == (secret is not null) && accepted == (error == SecretParseError.None);
    }

    [FsCheck.Xunit.Property]
    public Property TryParse_NearSecretText_NeverThrows() =>
        Prop.ForAll(SecretGen.NearSecretText.ToArbitrary(), text =>
        {
            var accepted = ProxySecret.TryParse(text, out var secret, out var error);
            var keyAccepted = ProxySecret.TryParseKey(text, out var key);
            return accepted == (error == SecretParseError.None)
                && (!accepted || secret!.Key.Length == ProxySecret.KeyLength)
                && keyAccepted == (key.Length == ProxySecret.KeyLength);
        });

    [FsCheck.Xunit.Property]
    public Property TryParse_HexWithAppendedBytes_NeverGivesClassic() =>
        Prop.ForAll(SecretGen.Key.ToArbitrary(), Gen.Choose(1, 8).ToArbitrary(), (key, extra) =>
        {
            var text = Convert.ToHexStringLower(key) + new string('0', extra * 2);
            return !ProxySecret.TryParse(text, out var secret) || secret.Kind != SecretKind.Classic;
        });

    private static void AssertRejected(string text, SecretParseError expected)
    {
        Assert.False(ProxySecret.TryParse(text, out var secret, out var error));
        Assert.Null(secret);
        Assert.Equal(expected, error);
    }

    private static string FakeTlsHex(string domain) =>
        "ee" + KeyHex + Convert.ToHexStringLower(System.Text.Encoding.UTF8.GetBytes(domain));

    private static string LongDomain(int length)
    {
        var labels = new List<string>();
        var remaining = length;
        while (remaining > 0)
        {
            var size = Math.Min(remaining, 40);
            labels.Add(new string('a', size));
            remaining -= size + 1;
        }

        var name = string.Join('.', labels);
        return name.Length == length ? name : name[..^1] + "b";
    }

    private static byte[] Filled(byte value)
    {
        var key = new byte[ProxySecret.KeyLength];
        Array.Fill(key, value);
        return key;
    }

    private static bool IsAllHex(string text) => text.Length % 2 == 0 && text.All(char.IsAsciiHexDigit);
}
