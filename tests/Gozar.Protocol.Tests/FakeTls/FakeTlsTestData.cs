using System.Buffers.Binary;
using System.Security.Cryptography;
using Gozar.Protocol.FakeTls;

namespace Gozar.Protocol.Tests.FakeTls;

/// <summary>Independent test-side helpers: §5.2 signing, fragmenting a hello, random inputs.</summary>
internal static class FakeTlsTestData
{
    /// <summary>Fills the random of a single-record hello per spec §5.2, independently of the library.</summary>
    public static void Sign(byte[] hello, byte[] key, uint unixTime)
    {
        Array.Clear(hello, 11, 32);
        var digest = HMACSHA256.HashData(key, hello);
        var time = BinaryPrimitives.ReadUInt32LittleEndian(digest.AsSpan(28)) ^ unixTime;
        BinaryPrimitives.WriteUInt32LittleEndian(digest.AsSpan(28), time);
        digest.CopyTo(hello, 11);
    }

    /// <summary>Re-emits a single-record hello as several <c>16 03 01</c> records cut at the given payload sizes.</summary>
    public static byte[] Fragment(ReadOnlySpan<byte> hello, ReadOnlySpan<int> fragmentSizes)
    {
        var payload = hello[5..];
        var output = new List<byte>(hello.Length + (5 * fragmentSizes.Length));
        var read = 0;
        foreach (var size in fragmentSizes)
        {
            output.AddRange([0x16, 0x03, 0x01, (byte)(size >> 8), (byte)size]);
            output.AddRange(payload.Slice(read, size));
            read += size;
        }

        return [.. output];
    }

    /// <summary>Splits <paramref name="total"/> into <paramref name="parts"/> positive sizes.</summary>
    public static int[] RandomSizes(Random random, int total, int parts)
    {
        parts = Math.Clamp(parts, 1, total);
        var cuts = new SortedSet<int>();
        while (cuts.Count < parts - 1)
        {
            cuts.Add(random.Next(1, total));
        }

        var sizes = new int[parts];
        var previous = 0;
        var i = 0;
        foreach (var cut in cuts)
        {
            sizes[i++] = cut - previous;
            previous = cut;
        }

        sizes[i] = total - previous;
        return sizes;
    }

    public static string RandomDomain(Random random)
    {
        const string Alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.";
        var chars = new char[random.Next(1, ClientHelloBuilder.MaxDomainLength + 1)];
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = Alphabet[random.Next(Alphabet.Length)];
        }

        return new string(chars);
    }

    public static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    public static byte[] BuildHello(byte[] key, string domain, long unixTime, byte[] entropy, ClientHelloShape shape)
    {
        var hello = new byte[ClientHelloBuilder.GetLength(shape, domain.Length, entropy)];
        var written = ClientHelloBuilder.Build(key, domain, unixTime, entropy, shape, hello);
        Assert.Equal(hello.Length, written);
        return hello;
    }
}
