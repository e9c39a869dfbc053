using System.Net;
using FsCheck;
using FsCheck.Fluent;
using Gozar.Protocol.ProxyProtocol;

namespace Gozar.Protocol.Tests.ProxyProtocol;

public class ProxyHeaderPropertyTests
{
    private static readonly Gen<byte[]> BytesGen = Gen.Choose(0, 255).Select(b => (byte)b).ArrayOf();

    private static readonly Gen<IPEndPoint> V4Gen =
        from address in Gen.Choose(0, 255).Select(b => (byte)b).ArrayOf(4)
        from port in Gen.Choose(0, 65535)
        select new IPEndPoint(new IPAddress(address), port);

    private static readonly Gen<IPEndPoint> V6Gen =
        from address in Gen.Choose(0, 255).Select(b => (byte)b).ArrayOf(16)
        from port in Gen.Choose(0, 65535)
        select new IPEndPoint(new IPAddress(address), port);

    private static readonly Gen<(IPEndPoint Source, IPEndPoint Destination)> PairGen = Gen.OneOf(
        from s in V4Gen from d in V4Gen select (s, d),
        from s in V6Gen from d in V6Gen select (s, d));

    private static readonly Gen<byte[]> TlvsGen =
        from tlvs in Gen.Choose(0, 300).SelectMany(n => Gen.Choose(0, 255).Select(t => ProxyHeaderBytes.Tlv((byte)t, n))).ArrayOf()
        select tlvs.SelectMany(t => t).ToArray();

    /// <summary>Valid headers of both versions, with the endpoints they carry.</summary>
    private static readonly Gen<(byte[] Header, IPEndPoint Source, IPEndPoint Destination)> HeaderGen =
        from pair in PairGen
        from v2 in Gen.Elements(true, false)
        from tlvs in TlvsGen
        select (v2 ? ProxyHeaderBytes.V2(pair.Source, pair.Destination, tlvs) : ProxyHeaderBytes.V1(pair.Source, pair.Destination),
            pair.Source, pair.Destination);

    /// <summary>Byte strings near the format: a signature, then random fields and lengths.</summary>
    private static readonly Gen<byte[]> NearHeaderGen = Gen.OneOf(
        BytesGen.Select(tail => (byte[])[.. ProxyHeaderBytes.Signature, .. tail]),
        BytesGen.Select(tail => (byte[])[.. "PROXY "u8.ToArray(), .. tail]),
        Gen.Elements("TCP4 ", "TCP6 ", "UNKNOWN", "1.2.3.4 ", "::1 ", "65535 ", "0 ", "\r\n", " ", ":", ".")
            .ArrayOf().Select(parts => System.Text.Encoding.ASCII.GetBytes("PROXY " + string.Concat(parts))),
        HeaderGen.SelectMany(h => Gen.Choose(0, h.Header.Length - 1).SelectMany(i => Gen.Choose(0, 255).Select(b =>
        {
            var mutated = h.Header.ToArray();
            mutated[i] = (byte)b;
            return mutated;
        }))));

    private static readonly Gen<byte[]> AnyInputGen = Gen.OneOf(BytesGen, NearHeaderGen);

    [FsCheck.Xunit.Property(MaxTest = 500)]
    public Property Parse_AnyBytes_NeverThrowsAndResultIsConsistent() =>
        Prop.ForAll(AnyInputGen.ToArbitrary(), Gen.Choose(0, ProxyHeader.MaxV2Length).ToArbitrary(), (bytes, max) =>
            IsConsistent(ProxyHeader.Parse(bytes, max), bytes.Length, max));

    [FsCheck.Xunit.Property(MaxTest = 300)]
    public Property Parse_AnyBytesInABufferEndingAtTheData_NeverReadsPastIt() =>
        Prop.ForAll(AnyInputGen.ToArbitrary(), bytes =>
        {
            // The span ends exactly where the array does: a read past it would throw, not return.
            var header = ProxyHeader.Parse(bytes.AsSpan());
            return header.Status != ProxyHeaderStatus.Parsed || header.Length <= bytes.Length;
        });

    [FsCheck.Xunit.Property(MaxTest = 300)]
    public Property Parse_ValidHeaderThenAnything_ParsedWithItsEndpoints() =>
        Prop.ForAll(HeaderGen.ToArbitrary(), BytesGen.ToArbitrary(), (h, tail) =>
        {
            var header = ProxyHeader.Parse([.. h.Header, .. tail]);
            return header.Status == ProxyHeaderStatus.Parsed
                && header.Length == h.Header.Length
                && h.Source.Equals(header.Source)
                && h.Destination.Equals(header.Destination);
        });

    [FsCheck.Xunit.Property(MaxTest = 300)]
    public Property Parse_ProperPrefixOfAValidHeader_NeedsMore() =>
        Prop.ForAll(HeaderGen.ToArbitrary(), Gen.Choose(0, int.MaxValue).ToArbitrary(), (h, cut) =>
            ProxyHeader.Parse(h.Header.AsSpan(0, cut % h.Header.Length)).Status == ProxyHeaderStatus.NeedMore);

    [FsCheck.Xunit.Property(MaxTest = 300)]
    public Property Parse_MoreBytesAfterAVerdict_SameVerdict() =>
        Prop.ForAll(AnyInputGen.ToArbitrary(), BytesGen.ToArbitrary(), (bytes, tail) =>
        {
            var first = ProxyHeader.Parse(bytes);
            var second = ProxyHeader.Parse([.. bytes, .. tail]);
            return first.Status == ProxyHeaderStatus.NeedMore || first == second;
        });

    private static bool IsConsistent(ProxyHeader header, int available, int max) => header.Status switch
    {
        ProxyHeaderStatus.Parsed => header.Length > 0 && header.Length <= available
            && header.Version is 1 or 2
            && (header.Version == 1 ? header.Length <= ProxyHeader.MaxV1Length : header.Length <= max)
            && (header.Source is null) == (header.Destination is null),
        ProxyHeaderStatus.NeedMore => header.Length == 0 && available < Math.Max(ProxyHeader.MaxV1Length, max),
        ProxyHeaderStatus.Invalid => header.Length == 0 && header.Source is null,
        _ => false,
    };
}
