using System.Numerics;

namespace Gozar.FakeDc.Crypto;

/// <summary>
/// The Diffie-Hellman group of the key exchange: the 2048-bit safe prime Telegram's servers send, with g = 3
/// (valid because p mod 3 = 2). Clients such as tdlib check the prime against this very value.
/// </summary>
public static class DhGroup
{
    public const int Generator = 3;
    public const int PrimeLength = 256;

    private const string PrimeHex =
        "C71CAEB9C6B1C9048E6C522F70F13F73980D40238E3E21C14934D037563D930F48198A0AA7C14058229493D22530F4DB" +
        "FA336F6E0AC925139543AED44CCE7C3720FD51F69458705AC68CD4FE6B6B13ABDC9746512969328454F18FAF8C595F64" +
        "2477FE96BB2A941D5BCD1D4AC8CC49880708FA9B378E3C4F3A9060BEE67CF9A4A4A695811051907E162753B56B0F6B41" +
        "0DBA74D8A84B2A14B3144E0EF1284754FD17ED950D5965B4B9DD46582DB1178D169C6BC465B0D6FF9CA3928FEF5B9AE4" +
        "E418FC15E83EBEA0F87FA9FF5EED70050DED2849F47BF959D956850CE929851F0D8115F635B105EE2E4E15D04B2454BF" +
        "6F4FADF034B10403119CD8E3B92FCC5B";

    public static byte[] PrimeBytes { get; } = Convert.FromHexString(PrimeHex);

    public static BigInteger Prime { get; } = BigEndian.ToInteger(PrimeBytes);

    /// <summary>2^(2048-64): g_a and g_b must lie in [this, p - this] (core.telegram.org/mtproto/auth_key).</summary>
    public static BigInteger SafetyMargin { get; } = BigInteger.One << (2048 - 64);

    /// <summary>Whether a public value g^x is one both sides may accept: 1 &lt; v &lt; p-1 and inside the safety margin.</summary>
    public static bool IsAcceptablePublicValue(BigInteger value) =>
        value > BigInteger.One && value < Prime - BigInteger.One && value >= SafetyMargin && value <= Prime - SafetyMargin;
}
