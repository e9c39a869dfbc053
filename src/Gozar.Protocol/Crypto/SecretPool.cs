using System.Numerics;
using System.Security.Cryptography;

namespace Gozar.Protocol.Crypto;

/// <summary>
/// Pinned memory for the ciphers' secrets (<see cref="SlotSize"/> bytes: a key and a keystream block), cut from pinned
/// slabs of <see cref="SlotsPerSlab"/> slots. Pinned so that compaction never leaves stale copies of key material
/// behind. A pinned array of its own per cipher took the allocator's slow path every time (two to four ciphers per
/// connection), and pinned objects are collected only in gen2; a slab is allocated once per 64 slots at most and kept
/// while its slots are in use. A slot is wiped when it comes back, before anyone else can get it.
/// </summary>
/// <remarks>
/// Whoever rents a slot gives it back once, after its last use: a slot given back while a transform still runs on it
/// would be handed to another cipher. A slot never given back stays taken (its slab with it), so its owner must be
/// disposed.
/// </remarks>
internal sealed class SecretPool
{
    public const int SlotSize = 48;
    public const int SlotsPerSlab = 64;

    private const ulong AllUsed = ulong.MaxValue;

    private readonly Lock _lock = new();

    // Slabs with a free slot, the one that last got a slot back first, so that rents fill partly used slabs before
    // empty ones; a full slab is on no list.
    private Slab? _withRoom;

    // Free slots on the slabs of that list. A slab whose last slot comes back is dropped and left to the GC when the
    // others have room to spare (a slab's worth, and a quarter of the slots in use), so a burst does not keep its peak
    // of slabs, while the ups and downs of a steady load (50 handshakes in flight: a slab dropped and made again about
    // every 400 ciphers with one slab's worth) do not make and drop slabs.
    private int _freeSlots;

    /// <summary>The pool every cipher uses.</summary>
    public static SecretPool Shared { get; } = new();

    /// <summary>Slabs this pool holds (full or not); for tests.</summary>
    internal int SlabCount { get; private set; }

    /// <summary>A free slot: its bytes are <c>slab.Memory[offset..(offset + SlotSize)]</c>, all zero.</summary>
    public Slab Rent(out int offset)
    {
        lock (_lock)
        {
            var slab = _withRoom ?? AddSlab();
            var index = BitOperations.TrailingZeroCount(~slab.Used);
            slab.Used |= 1UL << index;
            _freeSlots--;
            if (slab.Used == AllUsed)
            {
                Unlink(slab);
            }

            offset = index * SlotSize;
            return slab;
        }
    }

    /// <summary>Wipes a slot that <see cref="Rent"/> handed out and makes it free again.</summary>
    public void Return(Slab slab, int offset)
    {
        ArgumentNullException.ThrowIfNull(slab);
        if (slab.Pool != this || offset < 0 || offset % SlotSize != 0 || offset >= slab.Memory.Length)
        {
            throw new ArgumentException("Not a slot of this pool.", nameof(offset));
        }

        var bit = 1UL << (offset / SlotSize);
        // Still marked as taken while it is wiped: nobody else can be handed it yet.
        CryptographicOperations.ZeroMemory(slab.Memory.AsSpan(offset, SlotSize));
        lock (_lock)
        {
            if ((slab.Used & bit) == 0)
            {
                throw new InvalidOperationException("The slot was given back already.");
            }

            var wasFull = slab.Used == AllUsed;
            slab.Used &= ~bit;
            _freeSlots++;
            if (wasFull)
            {
                Link(slab);
            }
            else if (slab.Used == 0 && _freeSlots - SlotsPerSlab >= Math.Max(SlotsPerSlab, ((SlabCount * SlotsPerSlab) - _freeSlots) / 4))
            {
                Unlink(slab);
                _freeSlots -= SlotsPerSlab;
                SlabCount--;
            }
        }
    }

    private Slab AddSlab()
    {
        var slab = new Slab(this);
        SlabCount++;
        _freeSlots += SlotsPerSlab;
        Link(slab);
        return slab;
    }

    private void Link(Slab slab)
    {
        slab.Next = _withRoom;
        slab.Previous = null;
        if (_withRoom is not null)
        {
            _withRoom.Previous = slab;
        }

        _withRoom = slab;
    }

    private void Unlink(Slab slab)
    {
        if (slab.Previous is null)
        {
            _withRoom = slab.Next;
        }
        else
        {
            slab.Previous.Next = slab.Next;
        }

        if (slab.Next is not null)
        {
            slab.Next.Previous = slab.Previous;
        }

        slab.Next = null;
        slab.Previous = null;
    }

    /// <summary>One pinned array of <see cref="SlotsPerSlab"/> slots and which of them are taken.</summary>
    internal sealed class Slab
    {
        internal Slab(SecretPool? pool)
        {
            Pool = pool;
            Memory = GC.AllocateArray<byte>(SlotsPerSlab * SlotSize, pinned: true);
        }

        public byte[] Memory { get; }

        /// <summary>The pool it belongs to; null for a slab of no pool.</summary>
        internal SecretPool? Pool { get; }

        // Guarded by the pool's lock.
        internal ulong Used { get; set; }

        internal Slab? Previous { get; set; }

        internal Slab? Next { get; set; }
    }
}
