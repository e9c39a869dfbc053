using FsCheck;
using FsCheck.Fluent;
using Gozar.Protocol.Framing;
using Gozar.Protocol.Obfuscation;

namespace Gozar.Protocol.Tests.Obfuscation;

public class Obfuscated2PropertyTests
{
    private static readonly Gen<byte[]> KeyGen = Gen.Choose(0, 255).Select(b => (byte)b).ArrayOf(16);

    private static readonly Gen<byte[][]> KeysGen = Gen.Choose(0, 4).SelectMany(n => KeyGen.ArrayOf(n));

    /// <summary>Any length around the init's 64 bytes, short ones included.</summary>
    private static readonly Gen<byte[]> WireGen = Gen.Choose(0, 130).SelectMany(n => Gen.Choose(0, 255).Select(b => (byte)b).ArrayOf(n));

    private static readonly Gen<ProtocolTag> TagGen =
        Gen.Elements(ProtocolTag.Abridged, ProtocolTag.Intermediate, ProtocolTag.PaddedIntermediate);

    private static readonly Gen<(byte[][] Keys, int Index, ProtocolTag Tag, short Dc, byte[] Random)> BuiltInitGen =
        from keys in KeysGen.Where(k => k.Length > 0)
        from index in Gen.Choose(0, keys.Length - 1)
        from tag in TagGen
        from dc in Gen.Choose(short.MinValue, short.MaxValue)
        from random in Gen.Choose(0, 255).Select(b => (byte)b).ArrayOf(Obfuscated2.InitLength)
        select (keys, index, tag, (short)dc, random);

    [FsCheck.Xunit.Property(MaxTest = 500)]
    public Property TryAcceptClient_AnyBytesAndKeys_NeverThrowsAndAcceptsOnlyAKnownTag() =>
        Prop.ForAll(WireGen.ToArbitrary(), KeysGen.ToArbitrary(), (wire, keys) =>
        {
            if (!Obfuscated2.TryAcceptClient(wire, keys, out var init))
            {
                return init == default;
            }

            var hadEncryptor = init.Encryptor is not null;
            init.Decryptor.Dispose();
            init.Encryptor?.Dispose();
            return hadEncryptor && wire.Length >= Obfuscated2.InitLength
                && init.KeyIndex >= 0 && init.KeyIndex < keys.Length
                && Enum.IsDefined(init.Tag);
        });

    [FsCheck.Xunit.Property(MaxTest = 200)]
    public Property TryAcceptClient_InitBuiltWithOneOfTheKeys_FindsThatKeyTagAndDc() =>
        Prop.ForAll(BuiltInitGen.ToArbitrary(), c =>
        {
            var wire = new byte[Obfuscated2.InitLength];
            var client = Obfuscated2.CreateInit(c.Random, c.Keys[c.Index], c.Tag, c.Dc, wire);
            client.Encryptor.Dispose();
            client.Decryptor.Dispose();

            var accepted = Obfuscated2.TryAcceptClient(wire, c.Keys, out var init);
            init.Decryptor?.Dispose();
            init.Encryptor?.Dispose();

            // An earlier key decrypting the tag to a known value by chance is a 2^-30 event; an equal key is not.
            var expected = Array.FindIndex(c.Keys, k => k.AsSpan().SequenceEqual(c.Keys[c.Index]));
            return accepted && init.KeyIndex == expected && init.Tag == c.Tag && init.DcId == c.Dc;
        });
}
