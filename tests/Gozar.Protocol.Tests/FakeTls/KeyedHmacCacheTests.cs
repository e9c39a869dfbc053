using System.Security.Cryptography;
using FsCheck;
using FsCheck.Fluent;
using Gozar.Protocol.FakeTls;

namespace Gozar.Protocol.Tests.FakeTls;

public class KeyedHmacCacheTests
{
    private static readonly byte[][] Keys = [.. Enumerable.Range(1, 4).Select(i => Enumerable.Repeat((byte)i, KeyedHmacCache.KeyLength).ToArray())];

    private static readonly Gen<(int Key, byte[] Message)> StepGen =
        from key in Gen.Choose(0, Keys.Length - 1)
        from message in Gen.Choose(0, 255).Select(b => (byte)b).ArrayOf()
        select (key, message);

    [FsCheck.Xunit.Property(MaxTest = 200)]
    public Property Compute_InterleavedKeysAndMessages_EqualsOneShotHmac() =>
        Prop.ForAll(StepGen.ArrayOf().ToArbitrary(), steps =>
        {
            Span<byte> digest = stackalloc byte[FakeTlsHmac.DigestLength];
            foreach (var (key, message) in steps)
            {
                FakeTlsHmac.Compute(Keys[key], message, digest);
                if (!digest.SequenceEqual(HMACSHA256.HashData(Keys[key], message)))
                {
                    return false;
                }
            }

            return true;
        });

    [Theory]
    [InlineData(0)]
    [InlineData(15)]
    [InlineData(17)]
    [InlineData(32)]
    [InlineData(100)]
    public void Compute_KeyOfAnotherLength_EqualsOneShotHmac(int length)
    {
        var key = Enumerable.Range(0, length).Select(i => (byte)(i * 7)).ToArray();
        var message = "a hello's bytes"u8.ToArray();
        var digest = new byte[FakeTlsHmac.DigestLength];

        FakeTlsHmac.Compute(key, message, digest);

        Assert.Equal(HMACSHA256.HashData(key, message), digest);
    }

    [Fact]
    public void ComputeWithZeroedRandom_CachedKey_EqualsOneShotOverTheZeroedCopy()
    {
        var prefix = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
        var message = Enumerable.Range(0, 2500).Select(i => (byte)(i * 13)).ToArray();
        var zeroed = (byte[])[.. prefix, .. message];
        zeroed.AsSpan(prefix.Length + TlsWire.RandomOffset, TlsWire.RandomLength).Clear();
        var digest = new byte[FakeTlsHmac.DigestLength];

        for (var i = 0; i < 3; i++)
        {
            FakeTlsHmac.ComputeWithZeroedRandom(Keys[0], prefix, message, digest);
            Assert.Equal(HMACSHA256.HashData(Keys[0], zeroed), digest);
        }
    }

    [Fact]
    public void Compute_SameKeyOnSeveralThreads_EveryDigestCorrect()
    {
        const int Threads = 4;
        const int PerThread = 2000;
        var wrong = 0;
        var threads = Enumerable.Range(0, Threads).Select(t => new Thread(() =>
        {
            var digest = new byte[FakeTlsHmac.DigestLength];
            var message = new byte[600];
            for (var i = 0; i < PerThread; i++)
            {
                BitConverter.TryWriteBytes(message, (t * PerThread) + i);
                FakeTlsHmac.Compute(Keys[1], message, digest);
                if (!digest.AsSpan().SequenceEqual(HMACSHA256.HashData(Keys[1], message)))
                {
                    Interlocked.Increment(ref wrong);
                }
            }
        })).ToList();

        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        Assert.Equal(0, wrong);
    }

    [Fact]
    public void For_MoreKeysThanTheLimit_HoldsAtMostTheLimitAndStaysCorrect()
    {
        var count = 0;
        var correct = true;
        var thread = new Thread(() =>
        {
            var key = new byte[KeyedHmacCache.KeyLength];
            var message = "flight"u8.ToArray();
            var digest = new byte[FakeTlsHmac.DigestLength];
            for (var i = 0; i < KeyedHmacCache.MaxContexts + 100; i++)
            {
                BitConverter.TryWriteBytes(key, i);
                FakeTlsHmac.Compute(key, message, digest);
                correct &= digest.AsSpan().SequenceEqual(HMACSHA256.HashData(key, message));
            }

            count = KeyedHmacCache.CountOnThisThread;
        });

        thread.Start();
        thread.Join();

        Assert.True(correct);
        Assert.InRange(count, 1, KeyedHmacCache.MaxContexts);
    }

    [Fact]
    public void ForgetKeys_ContextsHeld_ThreadDropsThemAtItsNextCheck()
    {
        var counts = new int[3];
        var correct = false;
        var thread = new Thread(() =>
        {
            var message = "a hello"u8.ToArray();
            var digest = new byte[FakeTlsHmac.DigestLength];
            FakeTlsHmac.Compute(Keys[0], message, digest);
            FakeTlsHmac.Compute(Keys[1], message, digest);
            counts[0] = KeyedHmacCache.CountOnThisThread;

            ClientHelloValidator.ForgetKeys();
            counts[1] = KeyedHmacCache.CountOnThisThread;
            FakeTlsHmac.Compute(Keys[3], message, digest);
            counts[2] = KeyedHmacCache.CountOnThisThread;
            correct = digest.AsSpan().SequenceEqual(HMACSHA256.HashData(Keys[3], message));
        });

        thread.Start();
        thread.Join();

        Assert.Equal([2, 2, 1], counts);
        Assert.True(correct);
    }
}
