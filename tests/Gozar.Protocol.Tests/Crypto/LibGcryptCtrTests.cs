using System.Buffers.Binary;
using Gozar.Protocol.Crypto;

namespace Gozar.Protocol.Tests.Crypto;

public class LibGcryptCtrTests
{
    private const string Missing = "libgcrypt 1.9+ with VAES is not on this machine";

    [SkippableTheory]
    [InlineData("0123456789abcdeffffffffffffffffe")]
    [InlineData("fffffffffffffffffffffffffffffff0")]
    public void Transform_OddChunksAcrossTheCounterCarry_MatchesReference(string ivHex)
    {
        var key = AesCtrTests.Pattern(32, 3);
        var iv = Convert.FromHexString(ivHex);
        using var ctr = LibGcryptCtr.Create(key, BinaryPrimitives.ReadUInt128BigEndian(iv));
        Skip.If(ctr is null, Missing);
        var data = AesCtrTests.Pattern(90_000, 8);

        var offset = 0;
        foreach (var size in new[] { 1, 15, 17, 4096, 5, 65_536, 20_330 })
        {
            ctr!.Transform(data.AsSpan(offset, size));
            offset += size;
        }

        Assert.Equal(ReferenceCtr.Transform(key, iv, AesCtrTests.Pattern(90_000, 8)), data);
    }

    [SkippableFact]
    public void Transform_SeparateOutput_LeavesInputAndMatchesReference()
    {
        var key = AesCtrTests.Pattern(32, 5);
        var iv = AesCtrTests.Pattern(16, 6);
        using var ctr = LibGcryptCtr.Create(key, BinaryPrimitives.ReadUInt128BigEndian(iv));
        Skip.If(ctr is null, Missing);
        var input = AesCtrTests.Pattern(16_387, 7);
        var output = new byte[input.Length + 10];

        ctr!.Transform(input, output);

        Assert.Equal(AesCtrTests.Pattern(16_387, 7), input);
        Assert.Equal(ReferenceCtr.Transform(key, iv, input), output[..input.Length]);
        Assert.All(output[input.Length..], b => Assert.Equal(0, b));
    }

    [SkippableFact]
    public void Resume_AfterPark_ContinuesAtTheGivenBlock()
    {
        var key = AesCtrTests.Pattern(32, 9);
        var iv = AesCtrTests.Pattern(16, 10);
        var start = BinaryPrimitives.ReadUInt128BigEndian(iv);
        using var ctr = LibGcryptCtr.Create(key, start);
        Skip.If(ctr is null, Missing);
        var data = AesCtrTests.Pattern(8192, 11);

        ctr!.Transform(data.AsSpan(0, 4096));
        ctr.Park();
        Assert.Throws<InvalidOperationException>(() => ctr.Transform(new byte[16]));
        Assert.True(ctr.Resume(key, start + 256));
        ctr.Transform(data.AsSpan(4096));

        Assert.Equal(ReferenceCtr.Transform(key, iv, AesCtrTests.Pattern(8192, 11)), data);
    }

    [SkippableFact]
    public void ParkThenResume_ManyTimes_AllocatesNothing()
    {
        var key = AesCtrTests.Pattern(32, 12);
        using var ctr = LibGcryptCtr.Create(key, 0);
        Skip.If(ctr is null, Missing);
        var chunk = new byte[4096];
        ctr!.Park();
        Assert.True(ctr.Resume(key, 0));

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            ctr.Transform(chunk);
            ctr.Park();
            ctr.Resume(key, (UInt128)((i + 1) * 256));
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [SkippableFact]
    public void Transform_AfterDispose_ThrowsAndResumeRefuses()
    {
        var ctr = LibGcryptCtr.Create(new byte[32], 0);
        Skip.If(ctr is null, Missing);

        ctr!.Dispose();

        Assert.Throws<ObjectDisposedException>(() => ctr.Transform(new byte[64]));
        Assert.False(ctr.Resume(new byte[32], 0));
    }

    [Fact]
    public void Create_WrongKeySize_ReturnsNull() => Assert.Null(LibGcryptCtr.Create(new byte[16], 0));

    [Fact]
    public void NativeCtrCreate_PrefersLibgcryptWhenItHasVaes()
    {
        using var ctr = NativeCtr.Create(new byte[32], 0);

        Assert.Equal(NativeCtr.IsAvailable, ctr is not null);
        if (LibGcryptCtr.IsAvailable)
        {
            Assert.IsType<LibGcryptCtr>(ctr);
            Assert.StartsWith("libgcrypt ", NativeCtr.Library, StringComparison.Ordinal);
        }
        else if (LibCryptoCtr.IsAvailable)
        {
            Assert.IsType<LibCryptoCtr>(ctr);
        }
    }
}
