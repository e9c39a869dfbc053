using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Gozar.Protocol.Crypto;

namespace Gozar.Protocol.Tests.Crypto;

public class AesCtrPropertyTests
{
    [Property(Arbitrary = [typeof(CtrArbitraries)], MaxTest = 200)]
    public void Transform_RandomChunks_EqualsOneShotAndReference(CtrCase ctrCase, bool portable)
    {
        var expected = ReferenceCtr.Transform(ctrCase.Key, ctrCase.Iv, ctrCase.Data);
        using var oneShot = new AesCtr(ctrCase.Key, ctrCase.Iv, portable);
        using var chunked = new AesCtr(ctrCase.Key, ctrCase.Iv, portable);
        var whole = new byte[ctrCase.Data.Length];
        var pieces = (byte[])ctrCase.Data.Clone();

        oneShot.Transform(ctrCase.Data, whole);
        foreach (var (offset, length) in ctrCase.Chunks())
        {
            chunked.Transform(pieces.AsSpan(offset, length));
        }

        Assert.Equal(expected, whole);
        Assert.Equal(expected, pieces);
    }

    [Property(Arbitrary = [typeof(CtrArbitraries)], MaxTest = 200)]
    public void TransformTwice_RandomChunksAndOffsets_EqualsTwoTransforms(
        CtrCase first,
        CtrCase second,
        byte skipFirst,
        bool sameOffset,
        byte skipSecond,
        bool portable)
    {
        var skip1 = skipFirst % 40;
        var skip2 = sameOffset ? skip1 + 16 : skipSecond % 40;
        using var fused1 = new AesCtr(first.Key, first.Iv, portable);
        using var fused2 = new AesCtr(second.Key, second.Iv, portable);
        using var plain1 = new AesCtr(first.Key, first.Iv);
        using var plain2 = new AesCtr(second.Key, second.Iv);
        fused1.Transform(new byte[skip1]);
        plain1.Transform(new byte[skip1]);
        fused2.Transform(new byte[skip2]);
        plain2.Transform(new byte[skip2]);
        var data = first.Data;
        var fused = new byte[data.Length];
        var expected = new byte[data.Length];

        foreach (var (offset, length) in first.Chunks())
        {
            AesCtr.TransformTwice(fused1, fused2, data.AsSpan(offset, length), fused.AsSpan(offset, length));
            plain1.Transform(data.AsSpan(offset, length), expected.AsSpan(offset, length));
            plain2.Transform(expected.AsSpan(offset, length));
        }

        Assert.Equal(expected, fused);

        // Both streams must have ended where the two separate transforms left them.
        var probe = new byte[48];
        var probeExpected = new byte[48];
        AesCtr.TransformTwice(fused1, fused2, probe, probe);
        plain1.Transform(probeExpected);
        plain2.Transform(probeExpected);
        Assert.Equal(probeExpected, probe);
    }
}

public sealed record CtrCase(byte[] Key, byte[] Iv, byte[] Data, int[] Cuts)
{
    /// <summary>The data split at the (sorted, clamped) cut points, empty chunks included.</summary>
    public IEnumerable<(int Offset, int Length)> Chunks()
    {
        var points = Cuts.Select(c => Math.Min(c, Data.Length)).Order().Append(Data.Length);
        var start = 0;
        foreach (var point in points)
        {
            yield return (start, point - start);
            start = point;
        }
    }

    public override string ToString() =>
        $"key {Convert.ToHexString(Key)} iv {Convert.ToHexString(Iv)} length {Data.Length} cuts [{string.Join(',', Cuts)}]";
}

public static class CtrArbitraries
{
    public static Arbitrary<CtrCase> CtrCase()
    {
        var bytes = Gen.Choose(0, 255).Select(b => (byte)b);

        // Plain random IVs, and IVs a few blocks before a 64-bit or a 128-bit counter carry.
        var nearCarry64 = from high in Gen.ArrayOf(bytes, 8)
                          from before in Gen.Choose(0, 80)
                          select WithLowCounter(high, ulong.MaxValue - (ulong)before);
        var nearCarry128 = from before in Gen.Choose(0, 80)
                           select WithLowCounter(Enumerable.Repeat((byte)0xFF, 8).ToArray(), ulong.MaxValue - (ulong)before);
        var iv = Gen.OneOf(Gen.ArrayOf(bytes, 16), nearCarry64, nearCarry128);

        var gen = from key in Gen.ArrayOf(bytes, 32)
                  from counter in iv
                  from length in Gen.Frequency((3, Gen.Choose(0, 300)), (1, Gen.Choose(300, 3000)))
                  from data in Gen.ArrayOf(bytes, length)
                  from cuts in Gen.ArrayOf(Gen.Choose(0, length))
                  select new CtrCase(key, counter, data, cuts);
        return gen.ToArbitrary();
    }

    private static byte[] WithLowCounter(byte[] high, ulong low)
    {
        var iv = new byte[16];
        high.CopyTo(iv, 0);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(iv.AsSpan(8), low);
        return iv;
    }
}
