using System.Buffers.Binary;
using System.Security.Cryptography;
using Gozar.FakeDc.Crypto;

namespace Gozar.FakeDc.Messages;

/// <summary>
/// MTProto 2.0 message encryption (core.telegram.org/mtproto/description), both directions so that tests can play
/// the client:
/// <code>
/// packet     auth_key_id (8) | msg_key (16) | AES-256-IGE(plaintext)
/// plaintext  salt (8) | session_id (8) | msg_id (8) | seq_no (4) | length (4) | body | padding (12..1024)
/// x = 0 client to server, 8 server to client
/// msg_key = SHA-256(auth_key[88+x, 32] + plaintext)[8, 16]
/// a = SHA-256(msg_key + auth_key[x, 36]), b = SHA-256(auth_key[40+x, 36] + msg_key)
/// key = a[0,8] + b[8,16] + a[24,8], iv = b[0,8] + a[8,16] + b[24,8]
/// </code>
/// </summary>
public static class MessageCipher
{
    public const int AuthKeyIdLength = 8;
    public const int MsgKeyLength = 16;
    public const int PacketHeaderLength = AuthKeyIdLength + MsgKeyLength;
    public const int PlainHeaderLength = 32;

    public const int SaltOffset = 0;
    public const int SessionIdOffset = 8;
    public const int MsgIdOffset = 16;
    public const int SeqNoOffset = 24;
    public const int LengthOffset = 28;

    private const int MinPadding = 12;
    private const int MaxPadding = 1024;
    private const int MsgKeySourceOffset = 88;

    /// <summary>Pads and encrypts a plaintext whose header and body are already written.</summary>
    public static byte[] Encrypt(AuthKey key, ReadOnlySpan<byte> plaintextWithoutPadding, bool fromClient)
    {
        var padding = MinPadding + ((AesIge.BlockSize - ((plaintextWithoutPadding.Length + MinPadding) % AesIge.BlockSize)) % AesIge.BlockSize);
        padding += AesIge.BlockSize * RandomNumberGenerator.GetInt32(4);
        var plaintext = new byte[plaintextWithoutPadding.Length + padding];
        plaintextWithoutPadding.CopyTo(plaintext);
        RandomNumberGenerator.Fill(plaintext.AsSpan(plaintextWithoutPadding.Length));

        var x = fromClient ? 0 : 8;
        var msgKey = ComputeMsgKey(key.Key, x, plaintext);
        var (aesKey, aesIv) = DeriveAesKeyIv(key.Key, msgKey, x);
        var encrypted = AesIge.Encrypt(aesKey, aesIv, plaintext);

        var packet = new byte[PacketHeaderLength + encrypted.Length];
        BinaryPrimitives.WriteInt64LittleEndian(packet, key.Id);
        msgKey.CopyTo(packet, AuthKeyIdLength);
        encrypted.CopyTo(packet, PacketHeaderLength);
        return packet;
    }

    /// <summary>Reads the auth_key_id of an encrypted packet (0 marks an unencrypted one).</summary>
    public static long ReadAuthKeyId(ReadOnlySpan<byte> packet) => BinaryPrimitives.ReadInt64LittleEndian(packet);

    /// <summary>
    /// Decrypts and checks msg_key, length and padding. Returns the whole plaintext (header, body, padding), or
    /// null with the reason.
    /// </summary>
    public static byte[]? TryDecrypt(AuthKey key, ReadOnlySpan<byte> packet, bool fromClient, out string? problem)
    {
        var cipherLength = packet.Length - PacketHeaderLength;
        if (cipherLength < PlainHeaderLength + MinPadding || cipherLength % AesIge.BlockSize != 0)
        {
            problem = $"encrypted packet of {packet.Length} bytes";
            return null;
        }

        var x = fromClient ? 0 : 8;
        var msgKey = packet.Slice(AuthKeyIdLength, MsgKeyLength);
        var (aesKey, aesIv) = DeriveAesKeyIv(key.Key, msgKey, x);
        var plaintext = AesIge.Decrypt(aesKey, aesIv, packet[PacketHeaderLength..]);
        if (!CryptographicOperations.FixedTimeEquals(ComputeMsgKey(key.Key, x, plaintext), msgKey))
        {
            problem = "msg_key does not match the plaintext";
            return null;
        }

        var length = BinaryPrimitives.ReadInt32LittleEndian(plaintext.AsSpan(LengthOffset));
        var padding = plaintext.Length - PlainHeaderLength - length;
        if (length < 4 || length % 4 != 0 || padding < MinPadding || padding > MaxPadding)
        {
            problem = $"message length {length} leaves {padding} bytes of padding";
            return null;
        }

        problem = null;
        return plaintext;
    }

    private static byte[] ComputeMsgKey(byte[] authKey, int x, ReadOnlySpan<byte> plaintext)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(authKey, MsgKeySourceOffset + x, 32);
        sha.AppendData(plaintext);
        return sha.GetHashAndReset()[8..24];
    }

    private static (byte[] Key, byte[] Iv) DeriveAesKeyIv(byte[] authKey, ReadOnlySpan<byte> msgKey, int x)
    {
        Span<byte> input = stackalloc byte[MsgKeyLength + 36];
        msgKey.CopyTo(input);
        authKey.AsSpan(x, 36).CopyTo(input[MsgKeyLength..]);
        var a = SHA256.HashData(input);
        authKey.AsSpan(40 + x, 36).CopyTo(input);
        msgKey.CopyTo(input[36..]);
        var b = SHA256.HashData(input);

        var key = new byte[AesIge.KeySize];
        a.AsSpan(0, 8).CopyTo(key);
        b.AsSpan(8, 16).CopyTo(key.AsSpan(8));
        a.AsSpan(24, 8).CopyTo(key.AsSpan(24));
        var iv = new byte[AesIge.IvSize];
        b.AsSpan(0, 8).CopyTo(iv);
        a.AsSpan(8, 16).CopyTo(iv.AsSpan(8));
        b.AsSpan(24, 8).CopyTo(iv.AsSpan(24));
        return (key, iv);
    }
}
