using Gozar.Protocol.Crypto;
using Gozar.Sessions;

namespace Gozar.Tests.Sessions;

public class KeyShareBatchTests
{
    // 8 * 9: three doublings of the base point's u-coordinate (X25519Tests checks it against BigInteger arithmetic).
    private const string EightTimesBasePoint = "6899c948ed6f71f11ea974adcaed787aa15cb6c84d883bd82d5cd6aad7a65f27";

    [Fact]
    public void Take_SecureRandom_DistinctKeysOnTheCurveAcrossBatches()
    {
        var keys = new HashSet<string>();
        var key = new byte[X25519.PointSize];
        for (var i = 0; i < 40; i++)
        {
            KeyShareBatch.Take(SecureRandomSource.Instance, key);
            Assert.True(X25519.TryCreatePublicKey(key, new byte[X25519.PointSize]));
            keys.Add(Convert.ToHexStringLower(key));
        }

        Assert.Equal(40, keys.Count);
    }

    [Fact]
    public void Take_SourceNeverOnTheCurve_RealKeyFromAScalarItGives()
    {
        var twist = new RepeatingSource(2);
        var key = new byte[X25519.PointSize];
        var expected = new byte[X25519.PointSize];

        KeyShareBatch.Take(twist, key);
        X25519.PublicKeyFromPrivate(twist.Block, expected);

        Assert.Equal(Convert.ToHexStringLower(expected), Convert.ToHexStringLower(key));
    }

    [Fact]
    public void Take_AnotherSource_NoKeyLeftFromTheFirstSourcesBatch()
    {
        var basePoint = new RepeatingSource(9);
        var twist = new RepeatingSource(2);
        var first = new byte[X25519.PointSize];
        var second = new byte[X25519.PointSize];
        var expected = new byte[X25519.PointSize];

        KeyShareBatch.Take(basePoint, first);
        KeyShareBatch.Take(twist, second);
        X25519.PublicKeyFromPrivate(twist.Block, expected);

        Assert.Equal(EightTimesBasePoint, Convert.ToHexStringLower(first));
        Assert.Equal(Convert.ToHexStringLower(expected), Convert.ToHexStringLower(second));
    }

    /// <summary>Every 32-byte block it gives is the u-coordinate <c>firstByte</c> (the rest zero).</summary>
    private sealed class RepeatingSource(byte firstByte) : IRandomSource
    {
        public byte[] Block { get; } = [firstByte, .. new byte[X25519.PointSize - 1]];

        public void Fill(Span<byte> destination)
        {
            for (var i = 0; i < destination.Length; i++)
            {
                destination[i] = Block[i % Block.Length];
            }
        }

        public int Next(int minInclusive, int maxExclusive) => minInclusive;
    }
}
