using System.Buffers.Binary;
using System.Security.Cryptography;
using Gozar.FakeDc;
using Gozar.FakeDc.Handshake;
using Gozar.FakeDc.Messages;
using Gozar.FakeDc.Tl;

namespace Gozar.Tests.FakeDc;

public class EncryptedChannelTests
{
    private const uint UsersGetUsers = 0x0d91a548;

    [Fact]
    public async Task Handle_FirstMessageWithSaltZero_BadServerSaltNamesTheKeyExchangeSalt()
    {
        await using var dc = SharedDc.Start();
        await using var client = await MtprotoTestClient.ConnectAsync(dc.Port);
        var key = (await client.ExchangeKeysAsync(dc.RsaKey, RsaScheme.RsaPad))!;
        var session = NewSessionId();

        var msgId = await client.SendEncryptedAsync(key, salt: 0, session, Ping(7));
        var (_, body) = Assert.Single((await client.ReceiveEncryptedAsync(key, session))!);

        var reader = new TlReader(body);
        Assert.Equal(TlIds.BadServerSalt, reader.ReadConstructor());
        Assert.Equal(msgId, reader.ReadInt64());
        reader.ReadInt32();
        Assert.Equal(48, reader.ReadInt32());
        Assert.Equal(key.ServerSalt, reader.ReadInt64());
    }

    [Fact]
    public async Task Handle_FirstPingOfASession_NewSessionCreatedAndPongInOneContainer()
    {
        await using var dc = SharedDc.Start();
        await using var client = await MtprotoTestClient.ConnectAsync(dc.Port);
        var key = (await client.ExchangeKeysAsync(dc.RsaKey, RsaScheme.RsaPad))!;
        var session = NewSessionId();

        var msgId = await client.SendEncryptedAsync(key, key.ServerSalt, session, Ping(42));
        var messages = (await client.ReceiveEncryptedAsync(key, session))!;

        Assert.Equal(2, messages.Count);
        var created = new TlReader(messages[0].Body);
        Assert.Equal(TlIds.NewSessionCreated, created.ReadConstructor());
        Assert.Equal(msgId, created.ReadInt64());
        var pong = new TlReader(messages[1].Body);
        Assert.Equal(TlIds.Pong, pong.ReadConstructor());
        Assert.Equal(msgId, pong.ReadInt64());
        Assert.Equal(42, pong.ReadInt64());
        Assert.True(messages[0].MsgId < messages[1].MsgId);
    }

    [Fact]
    public async Task Handle_GetFutureSalts_BareFutureSaltsOfTheKeysSaltAnHourEach()
    {
        await using var dc = SharedDc.Start();
        await using var client = await MtprotoTestClient.ConnectAsync(dc.Port);
        var key = (await client.ExchangeKeysAsync(dc.RsaKey, RsaScheme.RsaPad))!;
        var session = NewSessionId();
        await client.SendEncryptedAsync(key, key.ServerSalt, session, Ping(1));
        await client.ReceiveEncryptedAsync(key, session);

        var msgId = await client.SendEncryptedAsync(key, key.ServerSalt, session, new TlWriter().UInt32(TlIds.GetFutureSalts).Int32(3).ToArray());
        var (_, body) = Assert.Single((await client.ReceiveEncryptedAsync(key, session))!);

        var reader = new TlReader(body);
        Assert.Equal(TlIds.FutureSalts, reader.ReadConstructor());
        Assert.Equal(msgId, reader.ReadInt64());
        var now = reader.ReadInt32();
        Assert.Equal(3, reader.ReadInt32());
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(now + (i * 3600), reader.ReadInt32());
            Assert.Equal(now + ((i + 1) * 3600), reader.ReadInt32());
            Assert.Equal(key.ServerSalt, reader.ReadInt64());
        }
    }

    [Fact]
    public async Task Handle_ContainerOfAckAndPing_OnlyThePingIsAnswered()
    {
        await using var dc = SharedDc.Start();
        await using var client = await MtprotoTestClient.ConnectAsync(dc.Port);
        var key = (await client.ExchangeKeysAsync(dc.RsaKey, RsaScheme.Sha1Padding))!;
        var session = NewSessionId();
        await client.SendEncryptedAsync(key, key.ServerSalt, session, Ping(1));
        await client.ReceiveEncryptedAsync(key, session);

        var ack = new TlWriter().UInt32(TlIds.MsgsAck).VectorHeader(1).Int64(12345).ToArray();
        var ping = Ping(2);
        var pingId = client.NextMsgId();
        var container = new TlWriter().UInt32(TlIds.MsgContainer).Int32(2)
            .Int64(client.NextMsgId()).Int32(0).Int32(ack.Length).Raw(ack)
            .Int64(pingId).Int32(3).Int32(ping.Length).Raw(ping)
            .ToArray();
        await client.SendEncryptedAsync(key, key.ServerSalt, session, container, contentRelated: false);
        var (_, body) = Assert.Single((await client.ReceiveEncryptedAsync(key, session))!);

        var reader = new TlReader(body);
        Assert.Equal(TlIds.Pong, reader.ReadConstructor());
        Assert.Equal(pingId, reader.ReadInt64());
        Assert.Equal(2, reader.ReadInt64());
    }

    [Fact]
    public async Task Handle_MsgIdTenMinutesOld_BadMsgNotification16()
    {
        await using var dc = SharedDc.Start();
        await using var client = await MtprotoTestClient.ConnectAsync(dc.Port);
        var key = (await client.ExchangeKeysAsync(dc.RsaKey, RsaScheme.RsaPad))!;
        var session = NewSessionId();
        var stale = ServerMsgId.From(DateTimeOffset.UtcNow.AddMinutes(-10), response: true) & ~3L;

        await client.SendEncryptedAsync(key, key.ServerSalt, session, Ping(3), msgId: stale);
        var (_, body) = Assert.Single((await client.ReceiveEncryptedAsync(key, session))!);

        var reader = new TlReader(body);
        Assert.Equal(TlIds.BadMsgNotification, reader.ReadConstructor());
        Assert.Equal(stale, reader.ReadInt64());
        reader.ReadInt32();
        Assert.Equal(16, reader.ReadInt32());
    }

    [Fact]
    public async Task Handle_UnknownAuthKeyId_DcAnswers404()
    {
        await using var dc = SharedDc.Start();
        await using var client = await MtprotoTestClient.ConnectAsync(dc.Port);
        var stranger = new AuthKey(RandomNumberGenerator.GetBytes(256), 0);

        await client.SendEncryptedAsync(stranger, 0, NewSessionId(), Ping(4));
        var packet = await client.ReceivePacketAsync();

        Assert.NotNull(packet);
        Assert.Equal(MtprotoTestClient.TransportErrorNotFound, BinaryPrimitives.ReadInt32LittleEndian(packet));
        Assert.Contains(dc.Events.Problems, p => p.Contains("unknown auth_key_id", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(144, TlIds.ConfigLayer144)]
    [InlineData(198, TlIds.ConfigLayer198)]
    public async Task Invoke_GetConfigInClientLayer_ConfigOfThatLayerListsOnlyLoopback(int layer, uint constructor)
    {
        await using var dc = SharedDc.Start();
        await using var client = await MtprotoTestClient.ConnectAsync(dc.Port);
        var key = (await client.ExchangeKeysAsync(dc.RsaKey, RsaScheme.RsaPad))!;
        var session = NewSessionId();
        var call = new TlWriter()
            .UInt32(TlIds.InvokeWithLayer).Int32(layer)
            .UInt32(TlIds.InitConnection).Int32(1).Int32(1)
            .String("device").String("os").String("1.0").String("en").String(string.Empty).String("en")
            .UInt32(TlIds.InputClientProxy).String("127.0.0.1").Int32(443)
            .UInt32(TlIds.HelpGetConfig)
            .ToArray();

        var result = await CallAsync(client, key, session, call);

        var reader = new TlReader(result);
        Assert.Equal(constructor, reader.ReadConstructor());
        reader.ReadInt32();
        reader.ReadInt32();
        reader.ReadInt32();
        reader.ReadBool();
        Assert.Equal(2, reader.ReadInt32());
        var options = reader.ReadVectorHeader();
        Assert.True(options >= 5);
        for (var i = 0; i < options; i++)
        {
            Assert.Equal(TlIds.DcOption, reader.ReadConstructor());
            reader.ReadInt32();
            reader.ReadInt32();
            Assert.Equal("127.0.0.1", reader.ReadString());
            Assert.Equal(dc.Port, reader.ReadInt32());
        }

        Assert.Equal(layer, dc.AuthKeys[key.Id].Layer);
    }

    [Fact]
    public async Task Invoke_MethodNeedingSignIn_AuthKeyUnregistered401()
    {
        await using var dc = SharedDc.Start();
        await using var client = await MtprotoTestClient.ConnectAsync(dc.Port);
        var key = (await client.ExchangeKeysAsync(dc.RsaKey, RsaScheme.RsaPad))!;

        var result = await CallAsync(client, key, NewSessionId(), new TlWriter().UInt32(UsersGetUsers).VectorHeader(0).ToArray());

        var reader = new TlReader(result);
        Assert.Equal(TlIds.RpcError, reader.ReadConstructor());
        Assert.Equal(401, reader.ReadInt32());
        Assert.Equal("AUTH_KEY_UNREGISTERED", reader.ReadString());
    }

    [Fact]
    public async Task Invoke_UploadThreePartsThenGetFile_BytesComeBackAcrossConnections()
    {
        await using var dc = SharedDc.Start();
        await using var uploader = await MtprotoTestClient.ConnectAsync(dc.Port);
        var key = (await uploader.ExchangeKeysAsync(dc.RsaKey, RsaScheme.RsaPad))!;
        var content = RandomNumberGenerator.GetBytes((2 * 8192) + 4);
        const long fileId = 0x1234_5678_9abc_def0;
        for (var part = 0; part * 8192 < content.Length; part++)
        {
            var bytes = content.AsSpan(part * 8192, Math.Min(8192, content.Length - (part * 8192)));
            var saved = await CallAsync(uploader, key, NewSessionId(), new TlWriter().UInt32(TlIds.UploadSaveFilePart).Int64(fileId).Int32(part).Bytes(bytes).ToArray());
            Assert.Equal(TlIds.BoolTrue, BinaryPrimitives.ReadUInt32LittleEndian(saved));
        }

        await using var reader = await MtprotoTestClient.ConnectAsync(dc.Port);
        var back = new List<byte>();
        for (long offset = 0; offset < content.Length; offset += 8192)
        {
            var file = await CallAsync(reader, key, NewSessionId(), GetFile(fileId, offset, 8192));
            var tl = new TlReader(file);
            Assert.Equal(TlIds.UploadFile, tl.ReadConstructor());
            Assert.Equal(TlIds.StorageFilePartial, tl.ReadConstructor());
            tl.ReadInt32();
            back.AddRange(tl.ReadBytes().ToArray());
        }

        Assert.Equal(content, back);
    }

    [Theory]
    [InlineData(0, 1000, "LIMIT_INVALID")]
    [InlineData(1024 * 1024 - 4096, 8192, "LIMIT_INVALID")]
    [InlineData(100, 4096, "OFFSET_INVALID")]
    public async Task Invoke_GetFileBreakingTheOffsetRules_Error400(long offset, int limit, string error)
    {
        await using var dc = SharedDc.Start();
        await using var client = await MtprotoTestClient.ConnectAsync(dc.Port);
        var key = (await client.ExchangeKeysAsync(dc.RsaKey, RsaScheme.RsaPad))!;

        var result = await CallAsync(client, key, NewSessionId(), GetFile(1, offset, limit));

        var reader = new TlReader(result);
        Assert.Equal(TlIds.RpcError, reader.ReadConstructor());
        Assert.Equal(400, reader.ReadInt32());
        Assert.Equal(error, reader.ReadString());
    }

    private static byte[] Ping(long id) => new TlWriter().UInt32(TlIds.Ping).Int64(id).ToArray();

    private static byte[] GetFile(long fileId, long offset, int limit) => new TlWriter()
        .UInt32(TlIds.UploadGetFile).Int32(0)
        .UInt32(TlIds.InputDocumentFileLocation).Int64(fileId).Int64(0).Bytes([]).String(string.Empty)
        .Int64(offset).Int32(limit)
        .ToArray();

    private static long NewSessionId() => BitConverter.ToInt64(RandomNumberGenerator.GetBytes(8));

    /// <summary>Sends one call on a fresh session and returns what its rpc_result holds.</summary>
    private static async Task<byte[]> CallAsync(MtprotoTestClient client, AuthKey key, long session, byte[] call)
    {
        var msgId = await client.SendEncryptedAsync(key, key.ServerSalt, session, call);
        foreach (var (_, body) in (await client.ReceiveEncryptedAsync(key, session))!)
        {
            var reader = new TlReader(body);
            if (reader.ReadConstructor() == TlIds.RpcResult && reader.ReadInt64() == msgId)
            {
                return reader.Rest.ToArray();
            }
        }

        throw new Xunit.Sdk.XunitException("no rpc_result for the call");
    }
}
