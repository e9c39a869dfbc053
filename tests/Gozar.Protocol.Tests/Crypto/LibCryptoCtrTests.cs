using Gozar.Protocol.Crypto;

namespace Gozar.Protocol.Tests.Crypto;

public class LibCryptoCtrTests
{
    [SkippableFact]
    public void Transform_OddChunks_MatchesReference()
    {
        var key = AesCtrTests.Pattern(32, 3);
        var iv = Convert.FromHexString("0123456789abcdeffffffffffffffffe");
        using var ctr = LibCryptoCtr.Create(key, iv);
        Skip.If(ctr is null, "libcrypto.so.3 is not on this machine");
        var data = AesCtrTests.Pattern(20_000, 8);

        var offset = 0;
        foreach (var size in new[] { 1, 15, 17, 4096, 5, 15_866 })
        {
            ctr!.Transform(data.AsSpan(offset, size));
            offset += size;
        }

        Assert.Equal(ReferenceCtr.Transform(key, iv, AesCtrTests.Pattern(20_000, 8)), data);
    }

    [SkippableFact]
    public void Transform_AfterDispose_ThrowsInsteadOfTouchingFreedMemory()
    {
        var ctr = LibCryptoCtr.Create(new byte[32], new byte[16]);
        Skip.If(ctr is null, "libcrypto.so.3 is not on this machine");

        ctr!.Dispose();

        Assert.Throws<ObjectDisposedException>(() => ctr.Transform(new byte[64]));
    }

    [Fact]
    public void Create_WrongSizes_ReturnsNull()
    {
        Assert.Null(LibCryptoCtr.Create(new byte[16], new byte[16]));
        Assert.Null(LibCryptoCtr.Create(new byte[32], new byte[8]));
    }
}
