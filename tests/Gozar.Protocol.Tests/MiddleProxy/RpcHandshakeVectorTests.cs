using Gozar.Protocol.MiddleProxy;
using static Gozar.Protocol.Tests.MiddleProxy.MiddleVectors;

namespace Gozar.Protocol.Tests.MiddleProxy;

/// <summary>Spec §8.5: nonce frames, the handshake frame and its ciphertext.</summary>
public class RpcHandshakeVectorTests
{
    [Fact]
    public void Seal_OurNonce_IsTheSpecFrame()
    {
        var frame = new byte[RpcFrame.Overhead + RpcNonce.Length];
        RpcNonce.Write(frame.AsSpan(RpcFrame.HeaderLength), Secret, CryptoTime, ClientNonce);

        var length = RpcFrame.Seal(frame, RpcNonce.Length, RpcFrame.NonceSequence, RpcChecksum.Crc32);

        Assert.Equal(44, length);
        Assert.Equal(OurNonceFrame, Convert.ToHexStringLower(frame));
    }

    [Fact]
    public void Read_MeNonceFrame_GivesItsTimeAndNonce()
    {
        var frame = Hex(MeNonceFrame);

        var status = RpcFrame.TryRead(frame, RpcFrame.NonceSequence, RpcChecksum.Crc32, out var consumed, out var payloadLength);
        var nonceStatus = RpcNonce.Read(frame.AsSpan(RpcFrame.HeaderLength, payloadLength), Secret, out var time, out var nonce);

        Assert.Equal(RpcFrameStatus.Frame, status);
        Assert.Equal(44, consumed);
        Assert.Equal(RpcNonceStatus.Ok, nonceStatus);
        Assert.Equal(CryptoTime + 1, time);
        Assert.Equal(ServerNonce, nonce.ToArray());
    }

    [Fact]
    public void Read_NonceWithOtherSelector_IsWrongKeySelector()
    {
        var payload = Hex(MeNonceFrame).AsSpan(RpcFrame.HeaderLength, RpcNonce.Length).ToArray();
        payload[4] ^= 1;

        Assert.Equal(RpcNonceStatus.WrongKeySelector, RpcNonce.Read(payload, Secret, out _, out _));
    }

    [Fact]
    public void Read_ZeroSelector_IsRefusedEvenWhenItMatches()
    {
        var secret = (byte[])Secret.Clone();
        secret.AsSpan(0, 4).Clear();
        var payload = new byte[RpcNonce.Length];
        RpcNonce.Write(payload, secret, CryptoTime, ServerNonce);

        Assert.Equal(RpcNonceStatus.WrongKeySelector, RpcNonce.Read(payload, secret, out _, out _));
    }

    [Fact]
    public void Handshake_SpecVector_PayloadFrameAndCiphertextMatch()
    {
        var frame = new byte[RpcFrame.GetPaddedLength(RpcHandshake.Length)];
        RpcHandshake.Write(frame.AsSpan(RpcFrame.HeaderLength), 0, Sender, Peer);
        var length = RpcFrame.Seal(frame, RpcHandshake.Length, RpcFrame.HandshakeSequence, RpcChecksum.Crc32);
        var padded = RpcFrame.Pad(frame, length);

        Assert.Equal(HandshakePayload, Convert.ToHexStringLower(frame.AsSpan(RpcFrame.HeaderLength, RpcHandshake.Length)));
        Assert.Equal(48, padded);
        Assert.Equal(HandshakeFrame, Convert.ToHexStringLower(frame));

        using var cbc = CbcStream.CreateEncryptor(Hex(WriteKey), Hex(WriteIv));
        cbc.Transform(frame, 0, padded);
        Assert.Equal(HandshakeCipher, Convert.ToHexStringLower(frame));
    }

    [Fact]
    public void ProxyRequest_SpecVector_CiphertextContinuesTheHandshakeStream()
    {
        using var cbc = CbcStream.CreateEncryptor(Hex(WriteKey), Hex(WriteIv));
        var handshake = Hex(HandshakeFrame);
        cbc.Transform(handshake, 0, handshake.Length);
        var request = Hex(ProxyRequestFrame);

        cbc.Transform(request, 0, request.Length);

        Assert.Equal(ProxyRequestCipher, Convert.ToHexStringLower(request));
    }

    [Fact]
    public void Decryptor_SpecCiphertext_GivesBothFramesBack()
    {
        using var cbc = CbcStream.CreateDecryptor(Hex(WriteKey), Hex(WriteIv));
        var stream = Hex(HandshakeCipher + ProxyRequestCipher);

        cbc.Transform(stream, 0, 48);
        cbc.Transform(stream, 48, stream.Length - 48);

        Assert.Equal(HandshakeFrame + ProxyRequestFrame, Convert.ToHexStringLower(stream));
    }

    [Fact]
    public void Read_HandshakeAnswer_ReportsFlagsAndPids()
    {
        var payload = new byte[RpcHandshake.Length];
        RpcHandshake.Write(payload, RpcHandshake.Crc32CFlag, Peer, Sender);

        var status = RpcHandshake.Read(payload, out var flags, out var sender, out var peer, out _);

        Assert.Equal(RpcHandshakeStatus.Ok, status);
        Assert.Equal(RpcHandshake.Crc32CFlag, flags);
        Assert.Equal(Peer, sender);
        Assert.True(Sender.IsMatchedBy(peer));
    }

    [Fact]
    public void Read_AnswerWithLowFlag_IsBadFlags()
    {
        var payload = new byte[RpcHandshake.Length];
        RpcHandshake.Write(payload, 0x1, Peer, Sender);

        Assert.Equal(RpcHandshakeStatus.BadFlags, RpcHandshake.Read(payload, out _, out _, out _, out _));
    }

    [Fact]
    public void Read_HandshakeError_IsRefusedWithItsCode()
    {
        var payload = Hex("da be 27 6a fc ff ff ff 00 00 00 00 00 00 00 00 00 00 00 00".Replace(" ", string.Empty, StringComparison.Ordinal));

        Assert.Equal(RpcHandshakeStatus.Refused, RpcHandshake.Read(payload, out _, out _, out _, out var code));
        Assert.Equal(-4, code);
    }

    [Fact]
    public void IsMatchedBy_ZeroFieldsAreWildcards_OtherDifferencesAreNot()
    {
        Assert.True(Sender.IsMatchedBy(Sender with { Ip = 0, Time = 0 }));
        Assert.False(Sender.IsMatchedBy(Sender with { Port = 1 }));
    }

    private static readonly RpcProcessId Sender = new(0xcb00710a, ProxyPort, 0x1234, CryptoTime);
    private static readonly RpcProcessId Peer = new(0x959aaf32, MePort, 0, 0);
}
