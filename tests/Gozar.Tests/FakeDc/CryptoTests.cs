using System.Numerics;
using System.Security.Cryptography;
using Gozar.FakeDc.Crypto;
using Gozar.FakeDc.Messages;

namespace Gozar.Tests.FakeDc;

public class CryptoTests
{
    [Fact]
    public void Encrypt_OpenSslIgeVector_MatchesOpenSsl()
    {
        // Key and IV 00..1f, 32 zero bytes: the output of OpenSSL's AES_ige_encrypt for the same input.
        var key = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();

        var cipher = AesIge.Encrypt(key, key, new byte[32]);

        Assert.Equal("4a7f16441cee6781e8374f261edeb88dc77147ebd5121de8d0fae7762423b6bf", Convert.ToHexStringLower(cipher));
    }

    [Fact]
    public void Decrypt_AfterEncrypt_GivesThePlaintextBack()
    {
        var key = RandomNumberGenerator.GetBytes(32);
        var iv = RandomNumberGenerator.GetBytes(32);
        var plain = RandomNumberGenerator.GetBytes(16 * 37);

        Assert.Equal(plain, AesIge.Decrypt(key, iv, AesIge.Encrypt(key, iv, plain)));
    }

    [Fact]
    public void Prime_TelegramDhPrime_IsA2048BitSafePrimeForGenerator3()
    {
        var p = DhGroup.Prime;

        Assert.Equal(2048, (int)p.GetBitLength());
        Assert.True(IsProbablePrime(p));
        Assert.True(IsProbablePrime((p - 1) / 2));
        Assert.Equal(2, (int)(p % 3));
    }

    [Fact]
    public void FromSharedSecret_LeadingZeroByte_StrippedOrKeptAsAsked()
    {
        var secret = BigEndian.ToInteger([0x00, .. RandomNumberGenerator.GetBytes(255)]) | BigInteger.One << 2039;

        Assert.Equal(255, AuthKey.FromSharedSecret(secret, stripLeadingZeros: true).Length);
        Assert.Equal(256, AuthKey.FromSharedSecret(secret, stripLeadingZeros: false).Length);
    }

    [Fact]
    public void Fingerprint_GeneratedKey_IsSha1TailOfTlModulusAndExponent()
    {
        var key = DcRsaKey.Generate();
        var n = BigEndian.ToMinimalBytes(key.Modulus);
        byte[] tl = [0xfe, 0x00, 0x01, 0x00, .. n, 0x03, 0x01, 0x00, 0x01];

        var digest = SHA1.HashData(tl);

        Assert.Equal(256, n.Length);
        Assert.Equal(BitConverter.ToInt64(digest, 12), key.Fingerprint);
        Assert.Contains("BEGIN RSA PUBLIC KEY", key.PublicKeyPem, StringComparison.Ordinal);
    }

    private static bool IsProbablePrime(BigInteger n)
    {
        var d = n - 1;
        var s = 0;
        while (d.IsEven)
        {
            d >>= 1;
            s++;
        }

        foreach (var a in new BigInteger[] { 2, 3, 5 })
        {
            var x = BigInteger.ModPow(a, d, n);
            if (x.IsOne || x == n - 1)
            {
                continue;
            }

            var composite = true;
            for (var r = 1; r < s && composite; r++)
            {
                x = BigInteger.ModPow(x, 2, n);
                composite = x != n - 1;
            }

            if (composite)
            {
                return false;
            }
        }

        return true;
    }
}
