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
}
