using Gozar.FakeDc;
using Gozar.FakeDc.Handshake;
using Gozar.FakeDc.Tl;
using Gozar.Protocol.Framing;

namespace Gozar.Tests.FakeDc;

public class KeyExchangeTests
{
    [Theory]
    [InlineData(RsaScheme.RsaPad, ProtocolTag.Intermediate)]
    [InlineData(RsaScheme.Sha1Padding, ProtocolTag.Abridged)]
    [InlineData(RsaScheme.RsaPad, ProtocolTag.PaddedIntermediate)]
    public async Task ExchangeKeys_EitherRsaScheme_BothSidesHoldTheSameKey(RsaScheme scheme, ProtocolTag tag)
    {
        await using var dc = SharedDc.Start();
        await using var client = await MtprotoTestClient.ConnectAsync(dc.Port, tag);

        var key = await client.ExchangeKeysAsync(dc.RsaKey, scheme);

        Assert.NotNull(key);
        Assert.Equal([scheme], dc.Events.KeySchemes);
        Assert.Equal([(tag, (short)2)], dc.Events.Connections);
        Assert.True(dc.AuthKeys.TryGetValue(key.Id, out var held));
        Assert.Equal(key.Key, held.Key);
        Assert.Equal(key.ServerSalt, held.ServerSalt);
        Assert.Empty(dc.Events.Problems);
    }

    [Fact]
    public async Task ExchangeKeys_PaddedIntermediateWithFifteenBytesOfPadding_KeyMadeAndPingAnswered()
    {
        await using var dc = SharedDc.Start();
        await using var client = await MtprotoTestClient.ConnectAsync(dc.Port, ProtocolTag.PaddedIntermediate);
        client.Padding = 15;

        var key = await client.ExchangeKeysAsync(dc.RsaKey, RsaScheme.RsaPad);
        var session = BitConverter.ToInt64(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8));
        await client.SendEncryptedAsync(key!, key!.ServerSalt, session, new TlWriter().UInt32(TlIds.Ping).Int64(9).ToArray());
        var messages = await client.ReceiveEncryptedAsync(key, session);

        Assert.Empty(dc.Events.Problems);
        Assert.Contains(messages!, m => new TlReader(m.Body).ReadConstructor() == TlIds.Pong);
    }

    [Theory]
    [InlineData(Tamper.WrongServerNonce, "server_nonce")]
    [InlineData(Tamper.UnknownFingerprint, "fingerprint")]
    [InlineData(Tamper.WrongP, "p, q")]
    [InlineData(Tamper.BadClientDhHash, "SHA-1")]
    public async Task ExchangeKeys_TamperedStep_DcAnswers404AndCloses(Tamper tamper, string reason)
    {
        await using var dc = SharedDc.Start();
        await using var client = await MtprotoTestClient.ConnectAsync(dc.Port);

        var key = await client.ExchangeKeysAsync(dc.RsaKey, RsaScheme.RsaPad, tamper);

        Assert.Null(key);
        Assert.Empty(dc.AuthKeys);
        Assert.Contains(dc.Events.Problems, p => p.Contains(reason, StringComparison.Ordinal));
        Assert.Null(await client.ReceivePacketAsync());
    }

    [Fact]
    public async Task ExchangeKeys_ForeignKeyListedInResPq_DcRecordsTheRequestAndClosesWithoutAnError()
    {
        // A key the DC lists but does not hold, as Telegram's built into tdlib: the exchange stops at req_DH_params.
        var foreign = Gozar.FakeDc.Crypto.DcRsaKey.Generate();
        await using var dc = SharedDc.Start([foreign.Fingerprint]);
        await using var client = await MtprotoTestClient.ConnectAsync(dc.Port);

        var key = await client.ExchangeKeysAsync(foreign, RsaScheme.RsaPad);

        Assert.Null(key);
        Assert.Equal([foreign.Fingerprint], dc.Events.ForeignKeyRequests);
        Assert.Empty(dc.Events.Problems);
        Assert.Empty(dc.AuthKeys);
    }

    [Fact]
    public async Task ExchangeKeys_ForeignKeyWithWrongServerNonce_DcRefusesItAsAProblem()
    {
        var foreign = Gozar.FakeDc.Crypto.DcRsaKey.Generate();
        await using var dc = SharedDc.Start([foreign.Fingerprint]);
        await using var client = await MtprotoTestClient.ConnectAsync(dc.Port);

        var key = await client.ExchangeKeysAsync(foreign, RsaScheme.RsaPad, Tamper.WrongServerNonce);

        Assert.Null(key);
        Assert.Empty(dc.Events.ForeignKeyRequests);
        Assert.Contains(dc.Events.Problems, p => p.Contains("server_nonce", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Connect_InitWithoutObfuscatedTag_DcClosesWithoutAnswer()
    {
        await using var dc = SharedDc.Start();
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        await socket.ConnectAsync(System.Net.IPAddress.Loopback, dc.Port);

        await socket.SendAsync(new byte[64]);
        var read = await socket.ReceiveAsync(new byte[16]);

        Assert.Equal(0, read);
        Assert.Contains(dc.Events.Problems, p => p.Contains("obfuscated2", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Call_UnencryptedPingBeforeAnyKey_DcAnswers404()
    {
        await using var dc = SharedDc.Start();
        await using var client = await MtprotoTestClient.ConnectAsync(dc.Port);

        var answer = await client.CallPlainAsync(new Gozar.FakeDc.Tl.TlWriter().UInt32(Gozar.FakeDc.Tl.TlIds.Ping).Int64(1).ToArray());

        Assert.Null(answer);
        Assert.Contains(dc.Events.Problems, p => p.Contains("unencrypted message", StringComparison.Ordinal));
    }
}
