using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;
using Gozar.FakeDc.Tl;

namespace Gozar.FakeDc.Crypto;

/// <summary>
/// The fake DC's own 2048-bit RSA key. Clients learn it at run time (PEM for Telethon, modulus and fingerprint for
/// GramJS) and encrypt p_q_inner_data to it; the DC undoes that with a raw modular exponentiation, since MTProto
/// pads the data itself.
/// </summary>
public sealed class DcRsaKey
{
    public const int ModulusLength = 256;

    private readonly BigInteger _privateExponent;

    private DcRsaKey(RSAParameters parameters, string pem)
    {
        Modulus = BigEndian.ToInteger(parameters.Modulus);
        Exponent = BigEndian.ToInteger(parameters.Exponent);
        _privateExponent = BigEndian.ToInteger(parameters.D);
        PublicKeyPem = pem;
        Fingerprint = ComputeFingerprint(Modulus, Exponent);
    }

    public BigInteger Modulus { get; }

    public BigInteger Exponent { get; }

    /// <summary>PKCS#1 "RSA PUBLIC KEY" PEM, the form Telegram publishes its keys in.</summary>
    public string PublicKeyPem { get; }

    /// <summary>Lower 64 bits of SHA-1(TL bytes(n) + TL bytes(e)), read little-endian, as resPQ lists it.</summary>
    public long Fingerprint { get; }

    public string ModulusDecimal => Modulus.ToString(CultureInfo.InvariantCulture);

    public static DcRsaKey Generate()
    {
        using var rsa = RSA.Create(ModulusLength * 8);
        var parameters = rsa.ExportParameters(includePrivateParameters: true);
        var key = new DcRsaKey(parameters, rsa.ExportRSAPublicKeyPem());
        CryptographicOperations.ZeroMemory(parameters.D);
        CryptographicOperations.ZeroMemory(parameters.P);
        CryptographicOperations.ZeroMemory(parameters.Q);
        CryptographicOperations.ZeroMemory(parameters.DP);
        CryptographicOperations.ZeroMemory(parameters.DQ);
        CryptographicOperations.ZeroMemory(parameters.InverseQ);
        return key;
    }

    /// <summary>The fingerprint of a public key in PEM ("RSA PUBLIC KEY" or "PUBLIC KEY"), such as one of Telegram's.</summary>
    public static long FingerprintOfPem(string pem)
    {
        using var rsa = RSA.Create();
        rsa.ImportFromPem(pem);
        var parameters = rsa.ExportParameters(includePrivateParameters: false);
        return ComputeFingerprint(BigEndian.ToInteger(parameters.Modulus), BigEndian.ToInteger(parameters.Exponent));
    }

    /// <summary>c^d mod n as 256 big-endian bytes; false when the block is not a number below n.</summary>
    public bool TryDecryptRaw(ReadOnlySpan<byte> cipher, out byte[] plain)
    {
        var value = BigEndian.ToInteger(cipher);
        if (cipher.Length > ModulusLength || value >= Modulus)
        {
            plain = [];
            return false;
        }

        plain = BigEndian.ToPaddedBytes(BigInteger.ModPow(value, _privateExponent, Modulus), ModulusLength);
        return true;
    }

    /// <summary>m^e mod n as 256 big-endian bytes, what a client does with the public key.</summary>
    public byte[] EncryptRaw(ReadOnlySpan<byte> plain) =>
        BigEndian.ToPaddedBytes(BigInteger.ModPow(BigEndian.ToInteger(plain), Exponent, Modulus), ModulusLength);

    private static long ComputeFingerprint(BigInteger modulus, BigInteger exponent)
    {
        var tl = new TlWriter().Bytes(BigEndian.ToMinimalBytes(modulus)).Bytes(BigEndian.ToMinimalBytes(exponent));
        var digest = SHA1.HashData(tl.Written);
        return BinaryPrimitives.ReadInt64LittleEndian(digest.AsSpan(digest.Length - 8));
    }
}
