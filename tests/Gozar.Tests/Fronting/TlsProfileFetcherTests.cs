using System.Net;
using Gozar.Configuration;
using Gozar.Fronting;
using Gozar.Protocol.FakeTls;
using Gozar.Protocol.Framing;
using Gozar.SelfTest;
using Gozar.Tests.Infrastructure;

namespace Gozar.Tests.Fronting;

public sealed class TlsProfileFetcherTests(NginxSite nginx) : IClassFixture<NginxSite>
{
    [SkippableFact]
    public async Task FetchAsync_Nginx_RecordsItsFlightAsTheBuiltInProfileModelsIt()
    {
        NginxSite.RequireInstalled();
        var result = await Fetch(Site(nginx.EndPoint), samples: 8);

        var profile = Assert.IsType<TlsProfile>(result.Profile);
        Assert.Equal(0x1301, profile.CipherSuite);
        Assert.Equal(ServerHelloExtensionOrder.SupportedVersionsFirst, profile.ExtensionOrder);
        Assert.Equal(ServerHelloFlight.X25519Group, profile.KeyShareGroup);
        Assert.Equal(4, profile.EncryptedRecords.Count);
        Assert.Equal(RecordLengthRange.Exactly(BuiltInTlsProfile.EncryptedExtensionsRecord), profile.EncryptedRecords[0]);
        Assert.Equal(RecordLengthRange.Exactly(nginx.CertificateRecordLength), profile.EncryptedRecords[1]);
        // A DER integer of the ECDSA signature is a byte shorter when its top byte is zero (1 in 512 per integer, which
        // the built-in range leaves out): among 8 samples a 94 or 93 turns up about once in thirty runs.
        Assert.InRange(profile.EncryptedRecords[2].Minimum, BuiltInTlsProfile.CertificateVerifyMinimum - 2, BuiltInTlsProfile.CertificateVerifyMaximum);
        Assert.InRange(profile.EncryptedRecords[2].Maximum, BuiltInTlsProfile.CertificateVerifyMinimum, BuiltInTlsProfile.CertificateVerifyMaximum);
        Assert.Equal(RecordLengthRange.Exactly(BuiltInTlsProfile.FinishedRecord), profile.EncryptedRecords[3]);
        Assert.StartsWith($"127.0.0.1:{nginx.EndPoint.Port}, SNI {NginxSite.ServerName}, 8 samples, ", profile.Source, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task FetchAsync_NginxProfile_TheProxysFlightHasTheSitesBytesInOneRecordAndClientsConnect()
    {
        NginxSite.RequireInstalled();
        var profile = (await Fetch(Site(nginx.EndPoint), samples: 3)).Profile!;
        await using var dc = new EchoDc();
        var options = TestProxy.Options(dc);
        await using var proxy = TestProxy.Start(options with { Tls = options.Tls with { Profile = profile } });
        var siteBytes = profile.EncryptedRecords.Sum(r => 5 + r.Minimum);

        var hello = TlsTunnel.BuildHello(TestProxy.AliceKey, TestProxy.Domain, DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        using var socket = await SocketExtensions.ConnectAsync(proxy.EndPoint);
        await socket.SendAsync(hello);
        var head = new byte[5 + 122 + 6 + 5];
        await socket.ReceiveExactlyAsync(head);
        var applicationData = (head[^2] << 8) | head[^1];

        Assert.InRange(5 + applicationData, siteBytes, siteBytes + 2);
        await using var client = await Client.ConnectTlsAsync(proxy.EndPoint, TestProxy.BobKey);
        var frame = Frames.Build(ProtocolTag.PaddedIntermediate, [256]);
        var echo = client.ReceiveAsync(frame.Length, default);
        await client.SendAsync(frame, default);
        Assert.Equal(frame, await echo);
    }

    [Fact]
    public async Task FetchAsync_NothingListening_SaysItCannotConnect()
    {
        var result = await Fetch(new HostEndpoint("127.0.0.1", 9), samples: 1);

        Assert.Null(result.Profile);
        Assert.Contains("sample 1 of 1: cannot connect to 127.0.0.1:9", result.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FetchAsync_HttpServer_SaysTheAnswerIsNotTls()
    {
        await using var plain = new FakeMaskSite();

        var result = await Fetch(Site(plain.EndPoint), samples: 2);

        Assert.Null(result.Profile);
        Assert.EndsWith("the site's answer is not TLS", result.Problem, StringComparison.Ordinal);
    }

    private static HostEndpoint Site(IPEndPoint endPoint) => new("127.0.0.1", endPoint.Port);

    private static Task<TlsProfileFetchResult> Fetch(HostEndpoint site, int samples) =>
        new TlsProfileFetcher(TimeProvider.System).FetchAsync(site, NginxSite.ServerName, samples, CancellationToken.None);
}
