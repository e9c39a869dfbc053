using System.Buffers.Binary;
using Gozar.AntiReplay;
using Microsoft.Extensions.Time.Testing;

namespace Gozar.Tests.AntiReplay;

public class ReplayCacheTests
{
    private static byte[] Digest(int i)
    {
        var digest = new byte[ReplayCache.DigestLength];
        BinaryPrimitives.WriteInt32LittleEndian(digest, i);
        digest[15] = 0x5a;
        return digest;
    }

    [Fact]
    public void TryAdd_SameDigestTwice_SecondIsReplay()
    {
        var cache = new ReplayCache(1000, TimeSpan.FromMinutes(30), new FakeTimeProvider());

        Assert.True(cache.TryAdd(Digest(1)));
        Assert.False(cache.TryAdd(Digest(1)));
        Assert.True(cache.TryAdd(Digest(2)));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TryAdd_ReplayThatRetiresItsGeneration_IsStillRefused(bool byTime)
    {
        var time = new FakeTimeProvider();
        var cache = new ReplayCache(4, TimeSpan.FromMinutes(30), time);
        Assert.True(cache.TryAdd(Digest(1)));
        if (byTime)
        {
            time.Advance(TimeSpan.FromMinutes(31));
        }
        else
        {
            Assert.True(cache.TryAdd(Digest(2)));
        }

        // The current generation is full or old: this call retires it, and the replay is found in it all the same.
        Assert.False(cache.TryAdd(Digest(1)));
        Assert.True(cache.TryAdd(Digest(3)));
        Assert.False(cache.TryAdd(Digest(1)));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(15)]
    public void TryAdd_DigestsDifferingInOneByte_NeitherIsAReplay(int position)
    {
        // The cache keeps 64 bits of each digest: every byte of the 16 must still count.
        var cache = new ReplayCache(1000, TimeSpan.FromMinutes(30), new FakeTimeProvider());
        var first = Digest(42);
        var second = Digest(42);
        second[position] ^= 0x01;

        Assert.True(cache.TryAdd(first));
        Assert.True(cache.TryAdd(second));
        Assert.False(cache.TryAdd(second));
    }

    [Fact]
    public void TryAdd_WithinWindowUnderCapacity_RemembersEveryDigest()
    {
        var time = new FakeTimeProvider();
        var cache = new ReplayCache(10_000, TimeSpan.FromMinutes(30), time);
        for (var i = 0; i < 4_000; i++)
        {
            Assert.True(cache.TryAdd(Digest(i)));
            time.Advance(TimeSpan.FromMilliseconds(400));
        }

        // 4,000 × 0.4 s = 26.7 min: still inside the window, so every one is still a replay.
        for (var i = 0; i < 4_000; i++)
        {
            Assert.False(cache.TryAdd(Digest(i)));
        }

        Assert.Equal(0, cache.EarlyEvictions);
    }

    [Fact]
    public void TryAdd_OlderThanTwoWindows_IsForgotten()
    {
        var time = new FakeTimeProvider();
        var cache = new ReplayCache(1000, TimeSpan.FromMinutes(1), time);
        Assert.True(cache.TryAdd(Digest(1)));

        time.Advance(TimeSpan.FromSeconds(61));
        Assert.True(cache.TryAdd(Digest(2)));
        Assert.False(cache.TryAdd(Digest(1)));

        time.Advance(TimeSpan.FromSeconds(61));
        Assert.True(cache.TryAdd(Digest(3)));
        Assert.True(cache.TryAdd(Digest(1)));
    }

    [Fact]
    public void TryAdd_NoWindow_KeepsDigestsWhateverTheirAgeUntilCapacityPushesThemOut()
    {
        var time = new FakeTimeProvider();
        var cache = new ReplayCache(4, window: null, time);
        Assert.True(cache.TryAdd(Digest(1)));

        time.Advance(TimeSpan.FromDays(30));
        Assert.True(cache.TryAdd(Digest(2)));
        time.Advance(TimeSpan.FromDays(30));
        Assert.False(cache.TryAdd(Digest(1)));

        for (var i = 3; i < 7; i++)
        {
            Assert.True(cache.TryAdd(Digest(i)));
        }

        Assert.True(cache.TryAdd(Digest(1)));
        Assert.Equal(0, cache.EarlyEvictions);
    }

    [Fact]
    public void Reconfigure_NewCapacityAndWindow_KeepsEveryDigest()
    {
        var time = new FakeTimeProvider();
        var cache = new ReplayCache(1000, TimeSpan.FromMinutes(30), time);
        Assert.True(cache.TryAdd(Digest(1)));

        Assert.Same(cache, cache.Reconfigure(4000, window: null));
        time.Advance(TimeSpan.FromHours(5));
        Assert.True(cache.TryAdd(Digest(2)));

        Assert.False(cache.TryAdd(Digest(1)));
    }

    [Fact]
    public void TryAdd_FloodBeyondCapacity_StaysBoundedAndCountsEarlyEviction()
    {
        var cache = new ReplayCache(1000, TimeSpan.FromMinutes(30), new FakeTimeProvider());
        for (var i = 0; i < 100_000; i++)
        {
            cache.TryAdd(Digest(i));
            Assert.True(cache.Count <= 1000);
        }

        Assert.True(cache.EarlyEvictions > 0);

        // The most recent half-capacity is always remembered.
        for (var i = 100_000 - 500; i < 100_000; i++)
        {
            Assert.False(cache.TryAdd(Digest(i)));
        }
    }

    [Fact]
    public void TryAdd_BusyGenerations_ReuseTheirStorage()
    {
        var cache = new ReplayCache(2000, TimeSpan.FromMinutes(30), new FakeTimeProvider());
        var digests = new byte[20_000][];
        for (var i = 0; i < digests.Length; i++)
        {
            digests[i] = Digest(i);
        }

        for (var i = 0; i < 3000; i++)
        {
            cache.TryAdd(digests[i]);
        }

        var settled = cache.StorageCapacity;
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 3000; i < digests.Length; i++)
        {
            cache.TryAdd(digests[i]);
        }

        // 17 rotations, none of which grew a generation from empty again.
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - allocated);
        Assert.Equal(settled, cache.StorageCapacity);
        Assert.True(cache.EarlyEvictions >= 10);
    }

    [Fact]
    public void TryAdd_QuietAfterBusy_GivesStorageBack()
    {
        var time = new FakeTimeProvider();
        var cache = new ReplayCache(20_000, TimeSpan.FromMinutes(1), time);
        for (var i = 0; i < 9000; i++)
        {
            cache.TryAdd(Digest(i));
        }

        var busy = cache.StorageCapacity;

        // Two quiet windows of a handful of handshakes each: both generations shrink to what they hold.
        for (var window = 1; window <= 3; window++)
        {
            time.Advance(TimeSpan.FromSeconds(61));
            for (var i = 0; i < 5; i++)
            {
                cache.TryAdd(Digest((window * 100_000) + i));
            }
        }

        Assert.True(cache.StorageCapacity < busy / 100, $"{cache.StorageCapacity} of {busy}");
    }
}
