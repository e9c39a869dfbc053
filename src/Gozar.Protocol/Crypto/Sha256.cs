using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Gozar.Protocol.Crypto;

/// <summary>
/// SHA-256 (FIPS 180-4 §6.2) for the handshake: an obfuscated2 key (48 bytes, §2.3 of the protocol spec, once per
/// configured secret tried), the keyed address hash and the fake-TLS HMACs over a hello and a flight of kilobytes.
/// Through .NET's <see cref="SHA256"/> and <see cref="HMACSHA256"/> each of them costs several calls into libcrypto, each
/// clearing OpenSSL's error queue, and a digest context made or copied: more than a short input's hashing itself. Here
/// the padding and the HMAC's key pads are managed, and whole blocks go to libcrypto's block function in one call
/// (<see cref="LibCryptoSha256"/>, the CPU's SHA extensions), or through managed rounds without libcrypto.
/// </summary>
public ref struct Sha256
{
    public const int HashSize = 32;
    public const int BlockSize = 64;

    // FIPS 180-4 §5.3.3: the initial hash value.
    private const uint H0 = 0x6a09e667, H1 = 0xbb67ae85, H2 = 0x3c6ef372, H3 = 0xa54ff53a;
    private const uint H4 = 0x510e527f, H5 = 0x9b05688c, H6 = 0x1f83d9ab, H7 = 0x5be0cd19;

    // FIPS 180-4 §5.1.1: the last block holds 0x80, zeros and the message length in bits as a big-endian 64-bit number.
    private const int LengthFieldSize = 8;

    private State _state;
    private Block _pending;
    private int _pendingCount;
    private long _length;

    /// <summary>A hash over nothing yet.</summary>
    public Sha256()
    {
        _state = new State { A = H0, B = H1, C = H2, D = H3, E = H4, F = H5, G = H6, H = H7 };
    }

    /// <summary>Carries on from <paramref name="state"/>, which has absorbed <paramref name="length"/> bytes (whole blocks).</summary>
    internal Sha256(in State state, long length)
    {
        _state = state;
        _length = length;
    }

    /// <summary>SHA-256 of <paramref name="source"/> into the first 32 bytes of <paramref name="destination"/>.</summary>
    public static void HashData(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        var hash = new Sha256();
        hash.Append(source);
        hash.Finish(destination);
    }

    /// <summary>The state after whole blocks only (a pad block of HMAC), to carry on from later.</summary>
    internal readonly State Midstate =>
        _pendingCount == 0 ? _state : throw new InvalidOperationException("A partial block is pending.");

    public void Append(scoped ReadOnlySpan<byte> data)
    {
        _length += data.Length;
        Span<byte> pending = _pending;
        if (_pendingCount > 0)
        {
            var take = Math.Min(BlockSize - _pendingCount, data.Length);
            data[..take].CopyTo(pending[_pendingCount..]);
            _pendingCount += take;
            data = data[take..];
            if (_pendingCount < BlockSize)
            {
                return;
            }

            Compress(ref _state, pending);
            _pendingCount = 0;
        }

        var whole = data.Length & ~(BlockSize - 1);
        if (whole > 0)
        {
            Compress(ref _state, data[..whole]);
            data = data[whole..];
        }

        data.CopyTo(pending);
        _pendingCount = data.Length;
    }

    /// <summary>Writes the hash and wipes what this instance held; it is not used again.</summary>
    public void Finish(scoped Span<byte> destination)
    {
        if (destination.Length < HashSize)
        {
            throw new ArgumentException("SHA-256 needs 32 bytes.", nameof(destination));
        }

        Span<byte> pending = _pending;
        pending[_pendingCount..].Clear();
        pending[_pendingCount] = 0x80;
        if (_pendingCount >= BlockSize - LengthFieldSize)
        {
            Compress(ref _state, pending);
            pending.Clear();
        }

        BinaryPrimitives.WriteUInt64BigEndian(pending[(BlockSize - LengthFieldSize)..], (ulong)_length * 8);
        Compress(ref _state, pending);

        BinaryPrimitives.WriteUInt32BigEndian(destination, _state.A);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], _state.B);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], _state.C);
        BinaryPrimitives.WriteUInt32BigEndian(destination[12..], _state.D);
        BinaryPrimitives.WriteUInt32BigEndian(destination[16..], _state.E);
        BinaryPrimitives.WriteUInt32BigEndian(destination[20..], _state.F);
        BinaryPrimitives.WriteUInt32BigEndian(destination[24..], _state.G);
        BinaryPrimitives.WriteUInt32BigEndian(destination[28..], _state.H);
        pending.Clear();
        _state = default;
        _pendingCount = 0;
        _length = 0;
    }

    /// <summary>Whole 64-byte blocks into the state: libcrypto's SHA extensions where it is there, else the managed rounds.</summary>
    private static void Compress(ref State state, ReadOnlySpan<byte> blocks)
    {
        if (LibCryptoSha256.IsAvailable)
        {
            LibCryptoSha256.Compress(ref state, blocks);
            return;
        }

        CompressManaged(ref state, blocks);
    }

    /// <summary>The managed rounds over whole blocks (also what tests hold libcrypto's against).</summary>
    internal static void CompressManaged(ref State state, ReadOnlySpan<byte> blocks)
    {
        for (var offset = 0; offset < blocks.Length; offset += BlockSize)
        {
            CompressBlock(ref state, blocks.Slice(offset, BlockSize));
        }
    }

    /// <summary>FIPS 180-4 §6.2.2: one 64-byte block into the state.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CompressBlock(ref State state, ReadOnlySpan<byte> block)
    {
        var schedule = default(Schedule);
        ref var w = ref schedule[0];
        for (var t = 0; t < 16; t++)
        {
            Unsafe.Add(ref w, t) = BinaryPrimitives.ReadUInt32BigEndian(block.Slice(t * 4, 4));
        }

        for (var t = 16; t < 64; t++)
        {
            var w15 = Unsafe.Add(ref w, t - 15);
            var w2 = Unsafe.Add(ref w, t - 2);
            var sigma0 = BitOperations.RotateRight(w15, 7) ^ BitOperations.RotateRight(w15, 18) ^ (w15 >> 3);
            var sigma1 = BitOperations.RotateRight(w2, 17) ^ BitOperations.RotateRight(w2, 19) ^ (w2 >> 10);
            Unsafe.Add(ref w, t) = sigma1 + Unsafe.Add(ref w, t - 7) + sigma0 + Unsafe.Add(ref w, t - 16);
        }

        var a = state.A;
        var b = state.B;
        var c = state.C;
        var d = state.D;
        var e = state.E;
        var f = state.F;
        var g = state.G;
        var h = state.H;
        ref var k = ref MemoryMarshal.GetArrayDataReference(RoundConstants);

        // Eight rounds per pass with the working variables renamed instead of shifted along (§6.2.2 step 3).
        for (var t = 0; t < 64; t += 8)
        {
            Round(a, b, c, ref d, e, f, g, ref h, Unsafe.Add(ref k, t) + Unsafe.Add(ref w, t));
            Round(h, a, b, ref c, d, e, f, ref g, Unsafe.Add(ref k, t + 1) + Unsafe.Add(ref w, t + 1));
            Round(g, h, a, ref b, c, d, e, ref f, Unsafe.Add(ref k, t + 2) + Unsafe.Add(ref w, t + 2));
            Round(f, g, h, ref a, b, c, d, ref e, Unsafe.Add(ref k, t + 3) + Unsafe.Add(ref w, t + 3));
            Round(e, f, g, ref h, a, b, c, ref d, Unsafe.Add(ref k, t + 4) + Unsafe.Add(ref w, t + 4));
            Round(d, e, f, ref g, h, a, b, ref c, Unsafe.Add(ref k, t + 5) + Unsafe.Add(ref w, t + 5));
            Round(c, d, e, ref f, g, h, a, ref b, Unsafe.Add(ref k, t + 6) + Unsafe.Add(ref w, t + 6));
            Round(b, c, d, ref e, f, g, h, ref a, Unsafe.Add(ref k, t + 7) + Unsafe.Add(ref w, t + 7));
        }

        state.A += a;
        state.B += b;
        state.C += c;
        state.D += d;
        state.E += e;
        state.F += f;
        state.G += g;
        state.H += h;

        // The schedule's first words are the message (an obfuscated2 key's input holds the secret); a plain Clear of a
        // local may be dropped as a dead store.
        CryptographicOperations.ZeroMemory(MemoryMarshal.AsBytes((Span<uint>)schedule));
    }

    /// <summary>One round: d += T1 and h = T1 + T2, the rest of §6.2.2's shuffle left to the caller's renaming.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Round(uint a, uint b, uint c, ref uint d, uint e, uint f, uint g, ref uint h, uint constantPlusWord)
    {
        var t1 = h + (BitOperations.RotateRight(e, 6) ^ BitOperations.RotateRight(e, 11) ^ BitOperations.RotateRight(e, 25))
            + ((e & f) ^ (~e & g)) + constantPlusWord;
        var t2 = (BitOperations.RotateRight(a, 2) ^ BitOperations.RotateRight(a, 13) ^ BitOperations.RotateRight(a, 22))
            + ((a & b) ^ (a & c) ^ (b & c));
        d += t1;
        h = t1 + t2;
    }

    // FIPS 180-4 §4.2.2: the first 32 bits of the fractional parts of the cube roots of the first 64 primes.
    // An array rather than a span over the assembly's data: unoptimised (Debug) code allocates on each such span's access.
    private static readonly uint[] RoundConstants =
    [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ];

    internal struct State
    {
        public uint A;
        public uint B;
        public uint C;
        public uint D;
        public uint E;
        public uint F;
        public uint G;
        public uint H;
    }

    [InlineArray(64)]
    private struct Schedule
    {
        private uint _element;
    }

    [InlineArray(BlockSize)]
    private struct Block
    {
        private byte _element;
    }
}
