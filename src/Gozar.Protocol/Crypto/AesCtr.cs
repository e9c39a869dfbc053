using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Gozar.Protocol.Crypto;

/// <summary>
/// AES-256 in CTR mode (spec §2.3): the IV is a 128-bit big-endian counter incremented per
/// 16-byte block, carrying across all 128 bits. The stream position persists across calls, so a
/// transform can continue at any byte offset. Encryption and decryption are the same operation.
/// Uses AES-NI when the CPU has it, otherwise AES-ECB of the platform crypto library. A stream that sees a bulk chunk
/// (<see cref="NativeThreshold"/> bytes or more) moves to a system library (<see cref="NativeCtr"/>: libgcrypt with
/// VAES, or libcrypto) when one is available, until its owner says it idles (<see cref="Rest"/>): both CTR loops are
/// faster than the managed one at 16 KiB, while small packets and idle streams keep the managed state, which needs no
/// native memory.
/// </summary>
public sealed class AesCtr : IDisposable
{
    public const int KeySize = 32;
    public const int IvSize = 16;
    private const int BlockSize = 16;

    // Unaligned managed streams in TransformTwice go chunk by chunk, each chunk small enough to stay in L1
    // between the two passes.
    private const int TwiceChunkSize = 4096;

    // Below this a call into the library costs more than the managed loop saves; bulk relay chunks are 16-64 KiB.
    private const int NativeThreshold = 1024;

    // The secret, a slot of SecretPool (pinned, so that heap compaction never leaves stale copies of key material
    // behind): [0, 32) the key (AES-NI only), [32, 48) keystream of the current block. The 240 bytes of round keys are
    // expanded on the stack for each call and wiped after it, not kept: an idle relayed connection holds two ciphers,
    // and this saves about 0.4 KiB per connection for tens of nanoseconds per call.
    private const int KeystreamOffset = KeySize;

    // What a disposed cipher points at once its slot went back to the pool (where the next cipher may get it). As large
    // as a slab, so a transform racing with Dispose (a bug) reads zeros at any slot's offset instead of past an array's end.
    private static readonly SecretPool.Slab DisposedSecret = new(pool: null);

    private SecretPool.Slab _secret;
    private readonly int _secretOffset;
    private readonly EcbCtr? _portable;
    private bool _allowNative;
    private NativeCtr? _native;

    // Set while the library carries the stream: from the move at block _nativeStart, _nativeBytes bytes so far. Cleared
    // by Rest, which parks the library's state and puts the stream back on the managed path at the same position.
    private bool _nativeActive;
    private UInt128 _nativeStart;
    private long _nativeBytes;
    private UInt128 _counter;

    // Bytes of the current keystream block already used; BlockSize means none is left.
    private int _keystreamUsed = BlockSize;
    private bool _disposed;

    public AesCtr(ReadOnlySpan<byte> key, ReadOnlySpan<byte> iv)
        : this(key, iv, forcePortable: false)
    {
    }

    /// <param name="forcePortable">Use the platform AES-ECB path even when AES-NI is present (tests, benchmarks).</param>
    /// <param name="allowNative">Let bulk chunks move the stream to the system library (off: tests and benchmarks of the managed path).</param>
    internal AesCtr(ReadOnlySpan<byte> key, ReadOnlySpan<byte> iv, bool forcePortable, bool allowNative = true)
    {
        if (key.Length != KeySize)
        {
            throw new ArgumentException("AES-256 needs a 32-byte key.", nameof(key));
        }

        if (iv.Length != IvSize)
        {
            throw new ArgumentException("CTR needs a 16-byte IV.", nameof(iv));
        }

        _counter = BinaryPrimitives.ReadUInt128BigEndian(iv);
        var hardware = !forcePortable && AesNiCtr.IsSupported;
        if (!hardware)
        {
            _portable = new EcbCtr(key);
        }

        // Rented last: nothing above may throw with the slot taken.
        _secret = SecretPool.Shared.Rent(out _secretOffset);
        if (hardware)
        {
            key.CopyTo(Secret);
            _allowNative = allowNative && NativeCtr.IsAvailable;
        }
    }

    /// <summary>
    /// Writes keystream block number <paramref name="block"/> of (key, IV) into the first 16 bytes of
    /// <paramref name="destination"/> without creating a cipher: with AES intrinsics nothing is allocated, which matters
    /// for checks that fail for most keys tried.
    /// </summary>
    public static void WriteKeystreamBlock(ReadOnlySpan<byte> key, ReadOnlySpan<byte> iv, int block, Span<byte> destination)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(block);
        if (destination.Length < BlockSize)
        {
            throw new ArgumentException("A keystream block is 16 bytes.", nameof(destination));
        }

        if (!AesNiCtr.IsSupported)
        {
            using var cipher = new AesCtr(key, iv);
            cipher._counter += (uint)block;
            cipher.NextKeystreamBlock([]);
            cipher.Keystream.CopyTo(destination);
            return;
        }

        if (key.Length != KeySize || iv.Length != IvSize)
        {
            throw new ArgumentException("AES-256-CTR needs a 32-byte key and a 16-byte IV.", nameof(key));
        }

        Span<byte> roundKeys = stackalloc byte[AesNiCtr.RoundKeysSize];
        AesNiCtr.ExpandKey(key, roundKeys);
        var counter = BinaryPrimitives.ReadUInt128BigEndian(iv) + (uint)block;
        AesNiCtr.EncryptCounter(ref MemoryMarshal.GetReference(roundKeys), ref counter, ref MemoryMarshal.GetReference(destination));
        CryptographicOperations.ZeroMemory(roundKeys);
    }

    /// <summary>What carries bulk chunks on this machine, for the start-up log: a system library, or the managed path.</summary>
    public static string BulkImplementation =>
        NativeCtr.Library ?? (AesNiCtr.IsSupported ? "managed AES-NI" : "the platform's AES-ECB");

    /// <summary>True when blocks are encrypted with AES intrinsics rather than the platform library.</summary>
    internal bool IsHardwareAccelerated => _portable is null;

    /// <summary>True while the system library carries the stream.</summary>
    internal bool UsesNativeLibrary => _nativeActive;

    private Span<byte> Secret => _secret.Memory.AsSpan(_secretOffset, SecretPool.SlotSize);

    private Span<byte> Keystream => _secret.Memory.AsSpan(_secretOffset + KeystreamOffset, BlockSize);

    /// <summary>Transforms <paramref name="data"/> in place.</summary>
    public void Transform(Span<byte> data) => Transform(data, data);

    /// <summary>
    /// Writes input XOR keystream to the first input.Length bytes of <paramref name="output"/>, which
    /// is either exactly the memory of <paramref name="input"/> or does not overlap it.
    /// </summary>
    public void Transform(ReadOnlySpan<byte> input, Span<byte> output)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        CheckBuffers(input, output);
        if (_nativeActive)
        {
            NativeTransform(input, output);
            return;
        }

        var done = UseLeftover(input, output);
        if (input.Length >= NativeThreshold && _allowNative && MoveToNative())
        {
            NativeTransform(input[done..], output[done..]);
            return;
        }

        if (done == input.Length)
        {
            return;
        }

        Span<byte> roundKeys = stackalloc byte[AesNiCtr.RoundKeysSize];
        ExpandRoundKeys(roundKeys);
        var blockBytes = (input.Length - done) & ~(BlockSize - 1);
        if (blockBytes > 0)
        {
            XorBlocks(roundKeys, input.Slice(done, blockBytes), output.Slice(done, blockBytes));
            done += blockBytes;
        }

        if (done < input.Length)
        {
            NextKeystreamBlock(roundKeys);
            var rest = input.Length - done;
            ByteXor.Apply(input[done..], Keystream[..rest], output[done..]);
            _keystreamUsed = rest;
        }

        CryptographicOperations.ZeroMemory(roundKeys);
    }

    /// <summary>
    /// output = input XOR keystream of <paramref name="first"/> XOR keystream of <paramref name="second"/>:
    /// the same result and stream positions as <c>first.Transform(input, output)</c> followed by
    /// <c>second.Transform(output)</c>, done in one pass (a relay decrypting one leg and encrypting the other).
    /// </summary>
    public static void TransformTwice(AesCtr first, AesCtr second, ReadOnlySpan<byte> input, Span<byte> output)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        ObjectDisposedException.ThrowIf(first._disposed, first);
        ObjectDisposedException.ThrowIf(second._disposed, second);
        CheckBuffers(input, output);

        if (first.GoesNative(input.Length) || second.GoesNative(input.Length))
        {
            // Two whole passes: the library runs about a tenth faster over a 64 KiB relay chunk (in L2) than over
            // L1-sized pieces, whose calls each pay the P/Invoke and a partial block at both ends.
            first.Transform(input, output);
            second.Transform(output);
            return;
        }

        if (!CanFuse(first, second))
        {
            TransformTwiceChunked(first, second, input, output);
            return;
        }

        TransformTwiceFused(first, second, input, output);
    }

    private static bool CanFuse(AesCtr first, AesCtr second) =>
        !ReferenceEquals(first, second)
        && !first._nativeActive
        && !second._nativeActive
        && first.IsHardwareAccelerated
        && second.IsHardwareAccelerated
        && first._keystreamUsed == second._keystreamUsed;

    private static void TransformTwiceFused(AesCtr first, AesCtr second, ReadOnlySpan<byte> input, Span<byte> output)
    {
        // Both streams sit at the same offset inside their current block, so their blocks line up
        // with each other over the whole input.
        var done = 0;
        var used = first._keystreamUsed;
        if (used < BlockSize && !input.IsEmpty)
        {
            done = Math.Min(BlockSize - used, input.Length);
            ByteXor.Apply(input[..done], first.Keystream.Slice(used, done), output);
            ByteXor.Apply(output[..done], second.Keystream.Slice(used, done), output);
            first._keystreamUsed += done;
            second._keystreamUsed += done;
        }

        if (done == input.Length)
        {
            return;
        }

        Span<byte> firstKeys = stackalloc byte[AesNiCtr.RoundKeysSize];
        Span<byte> secondKeys = stackalloc byte[AesNiCtr.RoundKeysSize];
        first.ExpandRoundKeys(firstKeys);
        second.ExpandRoundKeys(secondKeys);
        var blockBytes = (input.Length - done) & ~(BlockSize - 1);
        if (blockBytes > 0)
        {
            AesNiCtr.XorBlocksTwice(
                ref MemoryMarshal.GetReference(firstKeys),
                ref first._counter,
                ref MemoryMarshal.GetReference(secondKeys),
                ref second._counter,
                ref MemoryMarshal.GetReference(input[done..]),
                ref MemoryMarshal.GetReference(output[done..]),
                (nuint)(blockBytes / BlockSize));
            done += blockBytes;
        }

        if (done < input.Length)
        {
            first.NextKeystreamBlock(firstKeys);
            second.NextKeystreamBlock(secondKeys);
            var rest = input.Length - done;
            ByteXor.Apply(input[done..], first.Keystream[..rest], output[done..]);
            ByteXor.Apply(output.Slice(done, rest), second.Keystream[..rest], output[done..]);
            first._keystreamUsed = rest;
            second._keystreamUsed = rest;
        }

        CryptographicOperations.ZeroMemory(firstKeys);
        CryptographicOperations.ZeroMemory(secondKeys);
    }

    /// <summary>Whether a transform of <paramref name="length"/> bytes runs (or will run) in the system library.</summary>
    private bool GoesNative(int length) => _nativeActive || (_allowNative && length >= NativeThreshold);

    /// <summary>
    /// Continues the stream in the system library from the next whole block (the current block's keystream is used
    /// up). The key stays: <see cref="Rest"/> may bring the stream back.
    /// </summary>
    private bool MoveToNative()
    {
        var key = Secret[..KeySize];
        if (_native is null)
        {
            _native = NativeCtr.Create(key, _counter);
        }
        else if (!_native.Resume(key, _counter))
        {
            _native.Dispose();
            _native = null;
        }

        if (_native is null)
        {
            _allowNative = false;
            return false;
        }

        _nativeActive = true;
        _nativeStart = _counter;
        _nativeBytes = 0;
        return true;
    }

    private void NativeTransform(ReadOnlySpan<byte> input, Span<byte> output)
    {
        _native!.Transform(input, output);
        _nativeBytes += input.Length;
    }

    /// <summary>
    /// For a stream about to idle: if the system library carries it, it lets go of the key schedule and state, and the
    /// stream goes on from the same byte on the managed path until the next bulk chunk. Nothing is allocated either way.
    /// </summary>
    public void Rest()
    {
        if (!_nativeActive || _disposed)
        {
            return;
        }

        _native!.Park();
        _nativeActive = false;
        _counter = _nativeStart + (ulong)(_nativeBytes / BlockSize);
        var intoBlock = (int)(_nativeBytes % BlockSize);
        _keystreamUsed = BlockSize;
        if (intoBlock > 0)
        {
            Span<byte> roundKeys = stackalloc byte[AesNiCtr.RoundKeysSize];
            ExpandRoundKeys(roundKeys);
            NextKeystreamBlock(roundKeys);
            _keystreamUsed = intoBlock;
            CryptographicOperations.ZeroMemory(roundKeys);
        }
    }

    private static void TransformTwiceChunked(AesCtr first, AesCtr second, ReadOnlySpan<byte> input, Span<byte> output)
    {
        for (var offset = 0; offset < input.Length; offset += TwiceChunkSize)
        {
            var size = Math.Min(TwiceChunkSize, input.Length - offset);
            var chunk = output.Slice(offset, size);
            first.Transform(input.Slice(offset, size), chunk);
            second.Transform(chunk);
        }
    }

    private static void CheckBuffers(ReadOnlySpan<byte> input, Span<byte> output)
    {
        if (output.Length < input.Length)
        {
            throw new ArgumentException("Output is shorter than input.", nameof(output));
        }

        if (input.Overlaps(output, out var elementOffset) && elementOffset != 0)
        {
            throw new ArgumentException("Output must be the input itself or must not overlap it.", nameof(output));
        }
    }

    /// <summary>XORs what is left of the current keystream block into the start of the data.</summary>
    private int UseLeftover(ReadOnlySpan<byte> input, Span<byte> output)
    {
        var take = Math.Min(BlockSize - _keystreamUsed, input.Length);
        if (take == 0)
        {
            return 0;
        }

        ByteXor.Apply(input[..take], Keystream.Slice(_keystreamUsed, take), output);
        _keystreamUsed += take;
        return take;
    }

    /// <summary>The AES-NI round keys of this stream into <paramref name="roundKeys"/>; the portable path keeps its own.</summary>
    private void ExpandRoundKeys(Span<byte> roundKeys)
    {
        if (_portable is null)
        {
            AesNiCtr.ExpandKey(Secret[..KeySize], roundKeys);
        }
    }

    private void XorBlocks(ReadOnlySpan<byte> roundKeys, ReadOnlySpan<byte> input, Span<byte> output)
    {
        if (_portable is not null)
        {
            _portable.XorBlocks(ref _counter, input, output);
            return;
        }

        AesNiCtr.XorBlocks(
            ref MemoryMarshal.GetReference(roundKeys),
            ref _counter,
            ref MemoryMarshal.GetReference(input),
            ref MemoryMarshal.GetReference(output),
            (nuint)(input.Length / BlockSize));
    }

    private void NextKeystreamBlock(ReadOnlySpan<byte> roundKeys)
    {
        if (_portable is not null)
        {
            _portable.EncryptCounter(ref _counter, Keystream);
        }
        else
        {
            AesNiCtr.EncryptCounter(
                ref MemoryMarshal.GetReference(roundKeys),
                ref _counter,
                ref MemoryMarshal.GetReference(Keystream));
        }

        _keystreamUsed = 0;
    }

    /// <summary>
    /// Wipes the key, the keystream and the counter and gives their slot back. Further transforms throw. Call it once no
    /// transform can run any more: the slot may go to another cipher at once.
    /// </summary>
    public void Dispose()
    {
        _disposed = true;
        // Exchanged, so that of two racing calls only one gives the slot back.
        var secret = Interlocked.Exchange(ref _secret, DisposedSecret);
        if (secret == DisposedSecret)
        {
            return;
        }

        SecretPool.Shared.Return(secret, _secretOffset);
        _counter = UInt128.Zero;
        _portable?.Dispose();
        _native?.Dispose();
    }
}
