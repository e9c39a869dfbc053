using FsCheck;
using FsCheck.Fluent;
using Gozar.Protocol.FakeTls;
using static Gozar.Protocol.Tests.FakeTls.FakeTlsVectors;

namespace Gozar.Protocol.Tests.FakeTls;

public class ClientHelloValidatorPropertyTests
{
    private static readonly byte[] Vector = Bytes(ClientHelloRecord);

    private static readonly Gen<byte[]> BytesGen = Gen.Choose(0, 255).Select(b => (byte)b).ArrayOf();

    // The last 4 bytes of the random are the HMAC's tail XOR the timestamp (spec §5.3): changing them moves the
    // timestamp, which may still be inside the clock window. The replay cache keys on the first 16 bytes, so such a
    // copy is still a replay.
    private const int TimestampOffset = 11 + 28;
    private const int TimestampLength = 4;

    /// <summary>The §8.3 hello with one to four bytes outside the timestamp changed, cut short, or both.</summary>
    private static readonly Gen<byte[]> DamagedVectorGen =
        from edits in Gen.Choose(0, Vector.Length - 1 - TimestampLength)
            .Select(i => i < TimestampOffset ? i : i + TimestampLength)
            .SelectMany(i => Gen.Choose(1, 255).Select(x => (i, (byte)x))).ArrayOf()
            .Where(e => e.Length is >= 1 and <= 4 && e.DistinctBy(edit => edit.Item1).Count() == e.Length)
        from cut in Gen.Choose(0, Vector.Length)
        from truncate in Gen.Elements(true, false)
        select Damage(edits, truncate ? cut : Vector.Length);

    [FsCheck.Xunit.Property(MaxTest = 500)]
    public Property Validate_AnyBytes_NeverThrowsAndNeverAuthenticates() =>
        Prop.ForAll(Gen.OneOf(BytesGen, BytesGen.Select(tail => (byte[])[.. Vector.AsSpan(0, 9), .. tail])).ToArbitrary(), bytes =>
        {
            var result = ClientHelloValidator.Validate(bytes, Keys(Key), HelloUnixTime, ClockSkewWindow.Default, [Domain]);
            return Enum.IsDefined(result.Outcome) && !result.IsAuthenticated;
        });

    [FsCheck.Xunit.Property(MaxTest = 1000)]
    public Property Validate_DamagedSpecHello_NeverThrowsAndNeverAuthenticates() =>
        Prop.ForAll(DamagedVectorGen.ToArbitrary(), bytes =>
        {
            var result = ClientHelloValidator.Validate(bytes, Keys(Key), HelloUnixTime, ClockSkewWindow.Default, [Domain]);
            return Enum.IsDefined(result.Outcome) && !result.IsAuthenticated && (result.KeyIndex == -1 || result.KeyIndex == 0);
        });

    private static byte[] Damage((int Index, byte Xor)[] edits, int length)
    {
        var bytes = Vector.ToArray();
        foreach (var (index, xor) in edits)
        {
            bytes[index] ^= xor;
        }

        return bytes[..length];
    }
}
