using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Gozar.Protocol.MiddleProxy;

/// <summary>
/// AES-256-CBC keys of an ME connection (spec §7.4). The string S, integers little-endian:
/// <code>
/// 0 nonce_srv (16) | 16 nonce_clt (16) | 32 crypto_ts | 36 server IPv4 | 40 client port (2) | 42 purpose (6)
/// 48 client IPv4 | 52 server port (2) | 54 secret (s) | nonce_srv (16) | [IPv6: client IPv6, server IPv6] | nonce_clt
/// key = MD5(S[1..])[0..12] || SHA1(S)      iv = MD5(S[2..])
/// </code>
/// IPv4 addresses are host-order uint32s stored LE (the dotted quad reversed), zero on an IPv6 connection. "Client"
/// is the proxy: it encrypts with purpose CLIENT and decrypts with SERVER.
/// </summary>
public static class MiddleKeyDerivation
{
    public const int KeyLength = 32;
    public const int IvLength = 16;
    public const int MinSecretLength = 32;
    public const int MaxSecretLength = 256;

    private const int NonceLength = RpcNonce.NonceLength;
    private const int TimeOffset = 32;
    private const int ServerIpv4Offset = 36;
    private const int ClientPortOffset = 40;
    private const int PurposeOffset = 42;
    private const int ClientIpv4Offset = 48;
    private const int ServerPortOffset = 52;
    private const int SecretOffset = 54;
    private const int Ipv4Length = 4;
    private const int Ipv6Length = 16;
    private const int Md5KeyPart = 12;

    private static ReadOnlySpan<byte> ClientPurpose => "CLIENT"u8;
    private static ReadOnlySpan<byte> ServerPurpose => "SERVER"u8;

    /// <summary>Length of S: 86 + s over IPv4, 118 + s over IPv6.</summary>
    public static int GetInputLength(int secretLength, bool ipv6) =>
        SecretOffset + secretLength + (2 * NonceLength) + (ipv6 ? 2 * Ipv6Length : 0);

    /// <summary>Builds S. Addresses are in network order: both 4 bytes (IPv4) or both 16 (IPv6).</summary>
    /// <returns>Bytes written.</returns>
    public static int WriteInput(in MiddleKeyInput input, MiddlePurpose purpose, Span<byte> destination)
    {
        var ipv6 = input.ClientAddress.Length == Ipv6Length;
        if (input.ServerAddress.Length != input.ClientAddress.Length
            || input.ClientAddress.Length is not (Ipv4Length or Ipv6Length))
        {
            throw new ArgumentException("Both addresses must be IPv4 (4 bytes) or both IPv6 (16 bytes).", nameof(input));
        }

        var length = GetInputLength(input.Secret.Length, ipv6);
        var s = destination[..length];
        s.Clear();
        input.ServerNonce.CopyTo(s);
        input.ClientNonce.CopyTo(s[NonceLength..]);
        BinaryPrimitives.WriteUInt32LittleEndian(s[TimeOffset..], input.CryptoTime);
        if (!ipv6)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(s[ServerIpv4Offset..], BinaryPrimitives.ReadUInt32BigEndian(input.ServerAddress));
            BinaryPrimitives.WriteUInt32LittleEndian(s[ClientIpv4Offset..], BinaryPrimitives.ReadUInt32BigEndian(input.ClientAddress));
        }

        BinaryPrimitives.WriteUInt16LittleEndian(s[ClientPortOffset..], input.ClientPort);
        (purpose == MiddlePurpose.Client ? ClientPurpose : ServerPurpose).CopyTo(s[PurposeOffset..]);
        BinaryPrimitives.WriteUInt16LittleEndian(s[ServerPortOffset..], input.ServerPort);
        input.Secret.CopyTo(s[SecretOffset..]);
        var at = SecretOffset + input.Secret.Length;
        input.ServerNonce.CopyTo(s[at..]);
        at += NonceLength;
        if (ipv6)
        {
            input.ClientAddress.CopyTo(s[at..]);
            input.ServerAddress.CopyTo(s[(at + Ipv6Length)..]);
            at += 2 * Ipv6Length;
        }

        input.ClientNonce.CopyTo(s[at..]);
        return length;
    }

    /// <summary>Derives the key (32 bytes) and IV (16 bytes) for one direction.</summary>
    public static void Derive(in MiddleKeyInput input, MiddlePurpose purpose, Span<byte> key, Span<byte> iv)
    {
        Span<byte> s = stackalloc byte[GetInputLength(MaxSecretLength, ipv6: true)];
        var length = WriteInput(input, purpose, s);
        s = s[..length];
        Span<byte> md5 = stackalloc byte[MD5.HashSizeInBytes];
        MD5.HashData(s[1..], md5);
        md5[..Md5KeyPart].CopyTo(key);
        SHA1.HashData(s, key[Md5KeyPart..]);
        MD5.HashData(s[2..], iv);
        CryptographicOperations.ZeroMemory(s);
        CryptographicOperations.ZeroMemory(md5);
    }
}

/// <summary>Which side's keys: the proxy writes with Client's and reads with Server's.</summary>
public enum MiddlePurpose
{
    Client,
    Server,
}

/// <summary>The inputs of spec §7.4. Addresses in network order, as the ME sees them (public IP behind NAT).</summary>
public readonly ref struct MiddleKeyInput
{
    public required ReadOnlySpan<byte> ServerNonce { get; init; }
    public required ReadOnlySpan<byte> ClientNonce { get; init; }
    public required uint CryptoTime { get; init; }
    public required ReadOnlySpan<byte> ServerAddress { get; init; }
    public required ushort ServerPort { get; init; }
    public required ReadOnlySpan<byte> ClientAddress { get; init; }
    public required ushort ClientPort { get; init; }
    public required ReadOnlySpan<byte> Secret { get; init; }
}
