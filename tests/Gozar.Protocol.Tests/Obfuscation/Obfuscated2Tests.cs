using Gozar.Protocol.Framing;
using Gozar.Protocol.Obfuscation;

namespace Gozar.Protocol.Tests.Obfuscation;

public class Obfuscated2Tests
{
    // Spec §8.1
    private static readonly byte[] Secret = Convert.FromHexString("00112233445566778899aabbccddeeff");
    private static readonly byte[] ClientWireInit = Convert.FromHexString(
        "10171e252c333a41484f565d646b727980878e959ca3aab1b8bfc6cdd4dbe2e9" +
        "f0f7fe050c131a21282f363d444b525960676e757c838a91fe43d10fee31f7e1");

    [Fact]
    public void TryAcceptClient_SpecVector_FindsTagDcAndDecryptsFirstFrame()
    {
        var other = Convert.FromHexString("ffeeddccbbaa99887766554433221100");
        Assert.True(Obfuscated2.TryAcceptClient(ClientWireInit, new[] { other, Secret }, out var init));

        Assert.Equal(1, init.KeyIndex);
        Assert.Equal(ProtocolTag.PaddedIntermediate, init.Tag);
        Assert.Equal(2, init.DcId);

        var frame = Convert.FromHexString("7a682f73f84146a94420aa80f87eca4040cc8a3afe628b");
        init.Decryptor.Transform(frame);
        Assert.Equal("13000000000102030405060708090a0b0c0d0e0f998877", Convert.ToHexStringLower(frame));

        var server = Convert.FromHexString("080000000102030405060708");
        Assert.NotNull(init.Encryptor);
        init.Encryptor.Transform(server);
        Assert.Equal("bbcb3e0ac6c46bde4b1fe4f1", Convert.ToHexStringLower(server));
    }

    [Fact]
    public void CreateInit_WithSecret_ProducesSpecClientWireInit()
    {
        var plain = Convert.FromHexString(
            "10171e252c333a41484f565d646b727980878e959ca3aab1b8bfc6cdd4dbe2e9" +
            "f0f7fe050c131a21282f363d444b525960676e757c838a91dddddddd0200abcd");
        var wire = new byte[Obfuscated2.InitLength];
        var client = Obfuscated2.CreateInit(plain, Secret, ProtocolTag.PaddedIntermediate, 2, wire);
        Assert.Equal(ClientWireInit, wire);

        var frame = Convert.FromHexString("13000000000102030405060708090a0b0c0d0e0f998877");
        client.Encryptor.Transform(frame);
        Assert.Equal("7a682f73f84146a94420aa80f87eca4040cc8a3afe628b", Convert.ToHexStringLower(frame));
        var server = Convert.FromHexString("bbcb3e0ac6c46bde4b1fe4f1");
        client.Decryptor.Transform(server);
        Assert.Equal("080000000102030405060708", Convert.ToHexStringLower(server));
    }

    [Fact]
    public void TryAcceptClient_WrongKey_ReturnsFalse()
    {
        var other = Convert.FromHexString("ffeeddccbbaa99887766554433221100");
        Assert.False(Obfuscated2.TryAcceptClient(ClientWireInit, new[] { other }, out _));
    }

    [Fact]
    public void TryAcceptClient_RandomInitsFromCreateInit_AllAccepted()
    {
        var random = new Random(11);
        var plain = new byte[Obfuscated2.InitLength];
        var wire = new byte[Obfuscated2.InitLength];
        for (var i = 0; i < 3000; i++)
        {
            random.NextBytes(plain);
            var dc = (short)random.Next(-5, 6);
            Obfuscated2.CreateInit(plain, Secret, ProtocolTag.PaddedIntermediate, dc, wire);

            Assert.True(Obfuscated2.TryAcceptClient(wire, new[] { Secret }, out var init), Convert.ToHexString(plain));
            Assert.Equal(dc, init.DcId);
            Assert.Equal(ProtocolTag.PaddedIntermediate, init.Tag);
        }
    }

    [SkippableFact]
    public void TryAcceptClient_WrongKeysOnAesNiCpu_DoNotAllocate()
    {
        Skip.IfNot(System.Runtime.Intrinsics.X86.Aes.IsSupported, "The portable AES path creates a platform cipher per key.");
        var keys = new byte[16][];
        for (var i = 0; i < keys.Length; i++)
        {
            keys[i] = new byte[16];
            keys[i][0] = (byte)(i + 1);
        }

        Obfuscated2.TryAcceptClient(ClientWireInit, keys, out _);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var accepted = Obfuscated2.TryAcceptClient(ClientWireInit, keys, out _);

        Assert.False(accepted);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void WriteClientServerKeyMaterial_SpecVector_IsKeyAndIvOfServerDirection()
    {
        var material = new byte[Obfuscated2.KeyMaterialLength];
        Obfuscated2.WriteClientServerKeyMaterial(ClientWireInit, Secret, material);
        Assert.Equal(
            "dfa102deca22afb2e5403f596f67c356909a428dc1d83b304d20b5f7e4b615b6" + "b1aaa39c958e878079726b645d564f48",
            Convert.ToHexStringLower(material));
    }

    [Fact]
    public void CreateUpstreamInit_SpecVector_ProducesWireBytes()
    {
        // Spec §8.2
        var random = Convert.FromHexString(
            "55626f7c8996a3b0bdcad7e4f1fe0b1825323f4c596673808d9aa7b4c1cedbe8" +
            "f5020f1c293643505d6a7784919eabb8c5d2dfecf9061320000000000000" + "7b88");
        var wire = new byte[Obfuscated2.InitLength];
        var upstream = Obfuscated2.CreateUpstreamInit(random, ProtocolTag.PaddedIntermediate, 2, wire);
        Assert.Equal(
            "55626f7c8996a3b0bdcad7e4f1fe0b1825323f4c596673808d9aa7b4c1cedbe8" +
            "f5020f1c293643505d6a7784919eabb8c5d2dfecf9061320b09316c43b1992dd",
            Convert.ToHexStringLower(wire));

        // A DC (no secret) accepting these bytes sees the same streams.
        Assert.True(Obfuscated2.TryAcceptUnkeyed(wire, out var dcSide));
        Assert.Equal(ProtocolTag.PaddedIntermediate, dcSide.Tag);
        var payload = Convert.FromHexString("0102030405");
        upstream.Encryptor.Transform(payload);
        dcSide.Decryptor.Transform(payload);
        Assert.Equal("0102030405", Convert.ToHexStringLower(payload));
        Assert.NotNull(dcSide.Encryptor);
        dcSide.Encryptor.Transform(payload);
        Assert.NotNull(upstream.Decryptor);
        upstream.Decryptor.Transform(payload);
        Assert.Equal("0102030405", Convert.ToHexStringLower(payload));
    }

    [Fact]
    public void TryAcceptClient_WithoutEncryptor_DecryptsTheSameAndBuildsNoEncryptor()
    {
        Assert.True(Obfuscated2.TryAcceptClient(ClientWireInit, new[] { Secret }, out var init, withEncryptor: false));

        Assert.Null(init.Encryptor);
        Assert.Equal(ProtocolTag.PaddedIntermediate, init.Tag);
        var frame = Convert.FromHexString("7a682f73f84146a94420aa80f87eca4040cc8a3afe628b");
        init.Decryptor.Transform(frame);
        Assert.Equal("13000000000102030405060708090a0b0c0d0e0f998877", Convert.ToHexStringLower(frame));
    }

    [Fact]
    public void CreateUpstreamInit_WithoutDecryptor_WritesTheSameInitAndEncryptor()
    {
        var random = Enumerable.Range(0, 64).Select(i => (byte)(0x55 + (13 * i))).ToArray();
        var both = new byte[Obfuscated2.InitLength];
        var one = new byte[Obfuscated2.InitLength];
        var withBoth = Obfuscated2.CreateUpstreamInit(random, ProtocolTag.Abridged, 4, both);
        var withOne = Obfuscated2.CreateUpstreamInit(random, ProtocolTag.Abridged, 4, one, withDecryptor: false);

        Assert.Null(withOne.Decryptor);
        Assert.Equal(both, one);
        var first = new byte[32];
        var second = new byte[32];
        withBoth.Encryptor.Transform(first);
        withOne.Encryptor.Transform(second);
        Assert.Equal(first, second);
    }

    [Fact]
    public void CreateUpstreamInit_SpecVectorWithoutSecret_MatchesSection81Unkeyed()
    {
        var plain = Convert.FromHexString(
            "10171e252c333a41484f565d646b727980878e959ca3aab1b8bfc6cdd4dbe2e9" +
            "f0f7fe050c131a21282f363d444b525960676e757c838a91dddddddd0200abcd");
        var wire = new byte[Obfuscated2.InitLength];
        Obfuscated2.CreateUpstreamInit(plain, ProtocolTag.PaddedIntermediate, 2, wire);
        Assert.Equal(
            "10171e252c333a41484f565d646b727980878e959ca3aab1b8bfc6cdd4dbe2e9" +
            "f0f7fe050c131a21282f363d444b525960676e757c838a9197b33055d05ef6dd",
            Convert.ToHexStringLower(wire));
    }

    [Theory]
    [InlineData((short)-4, "fcff")]
    [InlineData((short)10002, "1227")]
    [InlineData((short)203, "cb00")]
    public void CreateUpstreamInit_DcIndex_IsSignedLittleEndian(short dc, string expected)
    {
        var random = Enumerable.Range(0, 64).Select(i => (byte)(0x55 + (13 * i))).ToArray();
        var wire = new byte[Obfuscated2.InitLength];
        Obfuscated2.CreateUpstreamInit(random, ProtocolTag.Abridged, dc, wire);
        Assert.True(Obfuscated2.TryAcceptUnkeyed(wire, out var dcSide));
        Assert.Equal(dc, dcSide.DcId);
        Assert.Equal(ProtocolTag.Abridged, dcSide.Tag);
        Assert.Equal(expected, Convert.ToHexStringLower(BitConverter.GetBytes(dc)));
    }

    [Theory]
    [InlineData("ef")]
    [InlineData("48454144")]
    [InlineData("504f5354")]
    [InlineData("47455420")]
    [InlineData("4f505449")]
    [InlineData("eeeeeeee")]
    [InlineData("dddddddd")]
    [InlineData("16030102")]
    [InlineData("0102030400000000")]
    public void IsAllowedUpstreamInit_ForbiddenPrefix_ReturnsFalse(string prefix)
    {
        var init = Enumerable.Repeat((byte)0x42, 64).ToArray();
        Convert.FromHexString(prefix).CopyTo(init, 0);
        Assert.False(Obfuscated2.IsAllowedUpstreamInit(init));
        Assert.Throws<ArgumentException>(() => Obfuscated2.CreateUpstreamInit(init, ProtocolTag.Abridged, 1, new byte[64]));
    }

    [Fact]
    public void ApplyFastMode_UpstreamInit_DcStreamEqualsClientStream()
    {
        Assert.True(Obfuscated2.TryAcceptClient(ClientWireInit, new[] { Secret }, out var client));
        var material = new byte[Obfuscated2.KeyMaterialLength];
        Obfuscated2.WriteClientServerKeyMaterial(ClientWireInit, Secret, material);

        var random = Enumerable.Range(0, 64).Select(i => (byte)(0x11 + (3 * i))).ToArray();
        Obfuscated2.ApplyFastMode(random, material);
        var wire = new byte[Obfuscated2.InitLength];
        Obfuscated2.CreateUpstreamInit(random, ProtocolTag.PaddedIntermediate, 2, wire);
        Assert.True(Obfuscated2.TryAcceptUnkeyed(wire, out var dcSide));

        // What the DC sends, untouched by the proxy, is what the client can decrypt.
        var fromDc = Convert.FromHexString("080000000102030405060708");
        Assert.NotNull(dcSide.Encryptor);
        dcSide.Encryptor.Transform(fromDc);
        Assert.Equal("bbcb3e0ac6c46bde4b1fe4f1", Convert.ToHexStringLower(fromDc));
        client.Encryptor?.Dispose();
    }
}
