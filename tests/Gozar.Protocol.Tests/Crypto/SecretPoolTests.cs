using Gozar.Protocol.Crypto;

namespace Gozar.Protocol.Tests.Crypto;

public class SecretPoolTests
{
    [Fact]
    public void Rent_TwoSlots_AreDistinctAndZeroed()
    {
        var pool = new SecretPool();

        var first = pool.Rent(out var firstOffset);
        var second = pool.Rent(out var secondOffset);

        Assert.False(first == second && firstOffset == secondOffset);
        Assert.All(first.Memory.AsSpan(firstOffset, SecretPool.SlotSize).ToArray(), b => Assert.Equal(0, b));
        Assert.All(second.Memory.AsSpan(secondOffset, SecretPool.SlotSize).ToArray(), b => Assert.Equal(0, b));
        Assert.Equal(SecretPool.SlotsPerSlab * SecretPool.SlotSize, first.Memory.Length);
    }

    [Fact]
    public void Return_WrittenSlot_IsWipedAndHandedOutAgainWithoutANewSlab()
    {
        var pool = new SecretPool();
        var slab = pool.Rent(out var offset);
        slab.Memory.AsSpan(offset, SecretPool.SlotSize).Fill(0xA5);

        pool.Return(slab, offset);

        Assert.All(slab.Memory.AsSpan(offset, SecretPool.SlotSize).ToArray(), b => Assert.Equal(0, b));
        var again = pool.Rent(out var againOffset);
        Assert.Same(slab, again);
        Assert.Equal(offset, againOffset);
        Assert.Equal(1, pool.SlabCount);
    }

    [Fact]
    public void Rent_FullSlab_AddsAnotherSlab()
    {
        var pool = new SecretPool();
        var slots = new HashSet<(SecretPool.Slab, int)>();

        for (var i = 0; i <= SecretPool.SlotsPerSlab; i++)
        {
            var slab = pool.Rent(out var offset);
            Assert.True(slots.Add((slab, offset)));
        }

        Assert.Equal(2, pool.SlabCount);
    }

    [Fact]
    public void Return_EverySlotAfterABurst_KeepsOneSlab()
    {
        var pool = new SecretPool();
        var slots = new List<(SecretPool.Slab Slab, int Offset)>();
        for (var i = 0; i < (3 * SecretPool.SlotsPerSlab) + 1; i++)
        {
            slots.Add((pool.Rent(out var offset), offset));
        }

        Assert.Equal(4, pool.SlabCount);
        foreach (var (slab, offset) in slots)
        {
            pool.Return(slab, offset);
        }

        Assert.Equal(1, pool.SlabCount);
        pool.Rent(out _);
        Assert.Equal(1, pool.SlabCount);
    }

    [Fact]
    public void Return_ManySlotsStillInUse_KeepsAQuarterOfThemSpare()
    {
        var pool = new SecretPool();
        var slots = new List<(SecretPool.Slab Slab, int Offset)>();
        for (var i = 0; i < 10 * SecretPool.SlotsPerSlab; i++)
        {
            slots.Add((pool.Rent(out var offset), offset));
        }

        // Three slabs emptied with 576, 512 and 448 slots still in use: the first two are the spare (128 slots, at least
        // a quarter of those in use), the third is dropped.
        foreach (var (slab, offset) in slots.Take(3 * SecretPool.SlotsPerSlab))
        {
            pool.Return(slab, offset);
        }

        Assert.Equal(9, pool.SlabCount);
    }

    [Fact]
    public void Return_PartlyUsedSlabs_AreFilledBeforeANewOne()
    {
        var pool = new SecretPool();
        var slots = new List<(SecretPool.Slab Slab, int Offset)>();
        for (var i = 0; i < 2 * SecretPool.SlotsPerSlab; i++)
        {
            slots.Add((pool.Rent(out var offset), offset));
        }

        pool.Return(slots[3].Slab, slots[3].Offset);
        pool.Return(slots[70].Slab, slots[70].Offset);
        pool.Rent(out _);
        pool.Rent(out _);

        Assert.Equal(2, pool.SlabCount);
    }

    [Fact]
    public void Return_Twice_Throws()
    {
        var pool = new SecretPool();
        var slab = pool.Rent(out var offset);
        pool.Return(slab, offset);

        Assert.Throws<InvalidOperationException>(() => pool.Return(slab, offset));
    }

    [Fact]
    public void Return_SlotOfAnotherPoolOrOffset_Throws()
    {
        var pool = new SecretPool();
        var other = new SecretPool();
        var slab = other.Rent(out var offset);

        Assert.Throws<ArgumentException>(() => pool.Return(slab, offset));
        Assert.Throws<ArgumentException>(() => other.Return(slab, offset + 1));
        Assert.Throws<ArgumentException>(() => other.Return(slab, SecretPool.SlotsPerSlab * SecretPool.SlotSize));
    }

    [Fact]
    public void Rent_ConcurrentRentAndReturn_NeverHandsOneSlotToTwoHolders()
    {
        var pool = new SecretPool();
        const int Threads = 8;
        const int Rounds = 2_000;
        var failures = 0;
        Parallel.For(0, Threads, new ParallelOptions { MaxDegreeOfParallelism = Threads }, thread =>
        {
            var held = new List<(SecretPool.Slab Slab, int Offset)>();
            var mark = (byte)(thread + 1);
            for (var round = 0; round < Rounds; round++)
            {
                for (var i = 0; i < 1 + (round % 40); i++)
                {
                    var slab = pool.Rent(out var offset);
                    var slot = slab.Memory.AsSpan(offset, SecretPool.SlotSize);
                    if (slot.ContainsAnyExcept((byte)0))
                    {
                        Interlocked.Increment(ref failures);
                    }

                    slot.Fill(mark);
                    held.Add((slab, offset));
                }

                foreach (var (slab, offset) in held)
                {
                    if (slab.Memory.AsSpan(offset, SecretPool.SlotSize).ContainsAnyExcept(mark))
                    {
                        Interlocked.Increment(ref failures);
                    }

                    pool.Return(slab, offset);
                }

                held.Clear();
            }
        });

        Assert.Equal(0, failures);
        Assert.InRange(pool.SlabCount, 1, 2 + (Threads * 40 / SecretPool.SlotsPerSlab));
    }
}
