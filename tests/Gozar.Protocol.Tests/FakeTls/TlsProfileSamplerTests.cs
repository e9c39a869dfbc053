using Gozar.Protocol.FakeTls;
using static Gozar.Protocol.Tests.FakeTls.FakeTlsVectors;

namespace Gozar.Protocol.Tests.FakeTls;

public class TlsProfileSamplerTests
{
    [Fact]
    public void TryBuild_NginxLikeAnswers_RangesPerRecord()
    {
        var sampler = new TlsProfileSampler();
        foreach (var verify in new[] { 96, 95, 96, 97, 96 })
        {
            Assert.Equal(MaskSiteFlightStatus.Ok, sampler.Add(SiteAnswer(0x1301, ServerHelloExtensionOrder.SupportedVersionsFirst, 36, 2063, verify, 53), Bytes(SessionId)));
        }

        Assert.True(sampler.TryBuild("site", out var profile, out var problem), problem);

        Assert.Equal(0x1301, profile.CipherSuite);
        Assert.Equal(ServerHelloExtensionOrder.SupportedVersionsFirst, profile.ExtensionOrder);
        Assert.Equal(0x001d, profile.KeyShareGroup);
        Assert.Equal(
            [RecordLengthRange.Exactly(36), RecordLengthRange.Exactly(2063), new RecordLengthRange(95, 97), RecordLengthRange.Exactly(53)],
            profile.EncryptedRecords);
        Assert.Equal("site", profile.Source);
    }

    [Fact]
    public void Add_AnswerCutInsideARecord_NeedMoreDataAndNotKept()
    {
        var sampler = new TlsProfileSampler();
        var answer = SiteAnswer(0x1301, ServerHelloExtensionOrder.KeyShareFirst, 36, 2063);

        Assert.Equal(MaskSiteFlightStatus.NeedMoreData, sampler.Add(answer.AsSpan(0, answer.Length - 1), Bytes(SessionId)));
        Assert.Equal(0, sampler.Count);
    }

    [Fact]
    public void Add_AnswerToAnotherSessionId_Unsuitable()
    {
        var sampler = new TlsProfileSampler();

        Assert.Equal(MaskSiteFlightStatus.Unsuitable, sampler.Add(SiteAnswer(0x1301, ServerHelloExtensionOrder.KeyShareFirst, 36), new byte[32]));
    }

    [Fact]
    public void TryBuild_NoSamples_Fails()
    {
        Assert.False(new TlsProfileSampler().TryBuild("site", out _, out var problem));
        Assert.Equal("no answer could be read", problem);
    }

    [Theory]
    [InlineData(0x1302, 0, 4, "cipher suites")]
    [InlineData(0x1301, 1, 4, "extensions")]
    [InlineData(0x1301, 0, 3, "encrypted records")]
    public void TryBuild_SamplesDisagree_SaysOnWhat(int suite, int order, int records, string expected)
    {
        var sampler = new TlsProfileSampler();
        sampler.Add(SiteAnswer(0x1301, ServerHelloExtensionOrder.KeyShareFirst, 36, 2063, 96, 53), Bytes(SessionId));
        sampler.Add(SiteAnswer((ushort)suite, (ServerHelloExtensionOrder)order, [.. new[] { 36, 2063, 96, 53 }.Take(records)]), Bytes(SessionId));

        Assert.False(sampler.TryBuild("site", out _, out var problem));
        Assert.Contains(expected, problem, StringComparison.Ordinal);
    }

    /// <summary>What a TLS 1.3 site sends: ServerHello, ChangeCipherSpec, then one record per given payload length.</summary>
    private static byte[] SiteAnswer(ushort suite, ServerHelloExtensionOrder order, params int[] records)
    {
        var first = new byte[ServerHelloFlight.GetLength(records[0])];
        ServerHelloFlight.Build(Bytes(Key), Bytes(ClientRandom), Bytes(SessionId), suite, Bytes(ServerX25519Key), new byte[records[0]], order, first);
        var output = new List<byte>(first);
        foreach (var length in records.Skip(1))
        {
            output.AddRange([0x17, 0x03, 0x03, (byte)(length >> 8), (byte)length]);
            output.AddRange(new byte[length]);
        }

        return [.. output];
    }
}
