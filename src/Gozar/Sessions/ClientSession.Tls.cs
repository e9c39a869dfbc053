namespace Gozar.Sessions;

public sealed partial class ClientSession
{
    private const byte TlsHandshakeRecordType = 0x16;
    private bool _flightSent;

    private ValueTask<Authentication?> AuthenticateTlsAsync(HandshakeBuffer handshake, CancellationToken cancellation)
    {
        _flightSent = false;
        _verdict = HandshakeVerdict.Malformed;
        return ValueTask.FromResult<Authentication?>(null);
    }

    private Relay.ChunkProcessor CreateUpstreamProcessor(Authentication authentication, Protocol.Crypto.AesCtr p2d) =>
        new Relay.ObfuscatedProcessor(authentication.Init.Decryptor, p2d);

    private static Relay.ChunkProcessor CreateDownstreamProcessor(Authentication authentication, Protocol.Crypto.AesCtr? d2p, Protocol.Crypto.AesCtr? s2c) =>
        d2p is null && s2c is null ? Relay.PassThroughProcessor.Instance : new Relay.ObfuscatedProcessor(d2p, s2c);
}
