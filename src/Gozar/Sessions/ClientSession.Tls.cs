using System.Buffers.Binary;
using Gozar.Configuration;
using Gozar.Fronting;
using Gozar.Protocol.Crypto;
using Gozar.Protocol.FakeTls;
using Gozar.Protocol.Framing;
using Gozar.Protocol.Obfuscation;
using Gozar.Relay;

namespace Gozar.Sessions;

/// <summary>The fake-TLS half of the handshake (spec §5): hello, server flight, then the init inside records.</summary>
public sealed partial class ClientSession
{
    private const byte TlsHandshakeRecordType = 0x16;

    // Spec §5.3: a ClientHello record starts 16 03 01 (all clients); 16 03 03 is accepted as well. Its first (or only)
    // fragment starts with the handshake header, whose type byte follows the 5-byte record header:
    //   16 | 03 01 | length(2) | 01 (client_hello) | ...
    private const int TlsRecordPrefixLength = 3;
    private const int HandshakeTypeOffset = 5;
    private const byte ClientHelloHandshakeType = 0x01;
    private const byte TlsMajorVersion = 0x03;
    private const byte TlsMinorVersion10 = 0x01;
    private const byte TlsMinorVersion12 = 0x03;
    private const int ClientRandomDigestLength = 16;

    /// <summary>A fatal unrecognized_name alert, byte for byte what nginx's ssl_reject_handshake sends.</summary>
    private static readonly byte[] UnrecognizedNameAlert = [0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x70];

    /// <summary>Set once the server flight went out: from then on a failure closes instead of masking.</summary>
    private bool _flightSent;

    /// <summary>The SNI of a hello that failed, so it is masked to that site when it is one of ours.</summary>
    private string? _maskSni;

    /// <summary>Set when an unknown SNI is to be refused with an alert instead of masked.</summary>
    private bool _rejectWithAlert;

    private async ValueTask<Authentication?> AuthenticateTlsAsync(
        HandshakeBuffer handshake, DeferredPreconnect? preconnect, CancellationToken cancellation)
    {
        byte[]? assembled = null;
        try
        {
            int consumed;
            int written;
            while (true)
            {
                assembled ??= _context.Buffers.Rent(ClientHelloAssembler.MaxAssembledLength);
                var status = ClientHelloAssembler.TryAssemble(handshake.Data, assembled, out consumed, out written, out var needed);
                if (status == ClientHelloStatus.Ok)
                {
                    break;
                }

                if (status != ClientHelloStatus.NeedMoreData)
                {
                    _verdict = status == ClientHelloStatus.NotHandshakeRecord ? HandshakeVerdict.NotTls : HandshakeVerdict.Malformed;
                    return null;
                }

                // A client that stalls mid-hello (a prober's favourite) may wait out the whole handshake deadline: it
                // holds only the handshake buffer meanwhile, not the assembly buffer too (32 KiB from the pool).
                ReturnWiped(assembled, Math.Min(handshake.Count, assembled.Length));
                assembled = null;

                // Once the site's connection is open, and until the site closes it, the site sees each part of a
                // stalled hello as it comes (see HandshakeAsync), so the fill ends with whatever arrives next. Not
                // before: a client whose hello comes in two segments is not worth a connection.
                var mirroring = preconnect?.Current is { IsConnected: true } open && !open.Closed.IsCancellationRequested;
                if (mirroring)
                {
                    await MirrorToMaskAsync(handshake, preconnect, cancellation).ConfigureAwait(false);
                }

                if (!await handshake.FillAsync(handshake.Count + (mirroring ? 1 : needed), cancellation).ConfigureAwait(false))
                {
                    _verdict = HandshakeVerdict.Truncated;
                    return null;
                }
            }

            // The hello's fields are read from the assembly buffer while the flight is built, before the first await.
            if (!TryValidate(assembled.AsSpan(0, written), out var hello))
            {
                return null;
            }

            // The hello authenticated (the replay cache and the user's count have it): the mask site is out of the
            // picture, so its closing no longer cuts this client off, and a delayed preconnect need not start.
            preconnect?.Commit();
            var keyIndex = hello.KeyIndex;
            // A pooled buffer: the flight is a few KB per handshake, all of it public once sent.
            var length = FlightLength(hello, out var shape);
            var flight = _context.Buffers.Rent(length);
            try
            {
                BuildFlight(hello, shape, flight.AsSpan(0, length));
                await SendAllAsync(_upstreamLane, _client, flight.AsMemory(0, length)).ConfigureAwait(false);
                _bytesDown += length;
            }
            finally
            {
                _context.Buffers.Return(flight);
            }

            _flightSent = true;
            return await ReadTunnelInitAsync(handshake, consumed, keyIndex, cancellation).ConfigureAwait(false);
        }
        finally
        {
            // Only what was written needs wiping (every assembled byte came from the input), not the whole pooled
            // array: clearing 64 KiB cost more than the hello's HMAC.
            if (assembled is not null)
            {
                ReturnWiped(assembled, Math.Min(handshake.Count, assembled.Length));
            }
        }
    }

    /// <summary>
    /// Spec §5.3–5.5 and §6.2: HMAC against every user, clock window, SNI, then the replay cache. The hello's fields
    /// point into <paramref name="record"/>.
    /// </summary>
    private bool TryValidate(ReadOnlySpan<byte> record, out AuthenticatedHello hello)
    {
        hello = default;
        var tls = _options.Tls;
        var validation = ClientHelloValidator.Validate(
            record,
            _context.Users.Keys,
            _context.Time.GetUtcNow().ToUnixTimeSeconds(),
            new ClockSkewWindow(tls.ClockSkewPast, tls.ClockSkewFuture, tls.IgnoreClockSkew),
            tls.UnknownSni == UnknownSniPolicy.Accept ? [] : _context.TlsDomains);
        if (!validation.IsAuthenticated)
        {
            RememberMaskSni(validation.ServerName);
            _rejectWithAlert = validation.Outcome == ClientHelloOutcome.UnknownSni && tls.UnknownSni == UnknownSniPolicy.Reject;
            _verdict = validation.Outcome switch
            {
                ClientHelloOutcome.BadHmac => HandshakeVerdict.BadHmac,
                ClientHelloOutcome.ClockSkew => HandshakeVerdict.ClockSkew,
                ClientHelloOutcome.UnknownSni => HandshakeVerdict.UnknownSni,
                ClientHelloOutcome.NotAHello => HandshakeVerdict.NotTls,
                _ => HandshakeVerdict.Malformed,
            };
            return false;
        }

        if (!_context.Replay.TryAdd(validation.ClientRandom[..ClientRandomDigestLength]))
        {
            RememberMaskSni(validation.ServerName);
            _verdict = HandshakeVerdict.Replay;
            return false;
        }

        if (!TryAdmitUser(validation.KeyIndex))
        {
            RememberMaskSni(validation.ServerName);
            return false;
        }

        hello = new AuthenticatedHello(
            validation.KeyIndex, validation.ClientRandom, validation.SessionId, validation.CipherSuite, ClientHelloOffer.Read(validation.Hello.Record));
        return true;
    }

    /// <summary>The SNI of a hello that is masked, for <see cref="ChooseMaskHost"/>; one that authenticated needs no string of it.</summary>
    private void RememberMaskSni(ReadOnlySpan<byte> serverName)
    {
        if (!serverName.IsEmpty)
        {
            _maskSni = System.Text.Encoding.ASCII.GetString(serverName);
        }
    }

    /// <summary>Spec §5.6, shaped by the TLS profile: the mask site's suite, extension order, key share and flight size.</summary>
    private int FlightLength(AuthenticatedHello hello, out ServerFlightShape shape)
    {
        Span<byte> pick = stackalloc byte[sizeof(uint)];
        _context.Random.Fill(pick);
        shape = _context.TlsProfile.Choose(hello.Offer, hello.CipherSuite, BinaryPrimitives.ReadUInt32LittleEndian(pick));
        return ServerHelloFlight.GetLength(shape.ApplicationDataLength, hello.SessionId.Length, shape.KeyShareGroup);
    }

    /// <summary>Writes the flight of <paramref name="shape"/> into <paramref name="flight"/>, sized by <see cref="FlightLength"/>.</summary>
    private void BuildFlight(AuthenticatedHello hello, ServerFlightShape shape, Span<byte> flight)
    {
        // An X25519MLKEM768 share is the ML-KEM ciphertext (random here: clients never parse it) then a real x25519 key.
        Span<byte> keyShare = stackalloc byte[ServerHelloFlight.X25519MlKem768ShareLength];
        keyShare = keyShare[..ServerHelloFlight.GetKeyShareLength(shape.KeyShareGroup)];
        _context.Random.Fill(keyShare[..^X25519.PointSize]);
        KeyShareBatch.Take(_context.Random, keyShare[^X25519.PointSize..]);

        var applicationData = flight[^shape.ApplicationDataLength..];
        _context.Random.Fill(applicationData);
        ServerHelloFlight.Build(
            _context.Users.Keys[hello.KeyIndex], hello.ClientRandom, hello.SessionId, shape.CipherSuite, shape.ExtensionOrder,
            shape.KeyShareGroup, keyShare, applicationData, flight);
    }

    /// <summary>After the flight: unwrap records until the 64-byte obfuscated2 init is there, and check it against the hello's key.</summary>
    private async ValueTask<Authentication?> ReadTunnelInitAsync(
        HandshakeBuffer handshake, int helloLength, int keyIndex, CancellationToken cancellation)
    {
        var reader = new TlsRecordReader();
        var payload = _context.Buffers.Rent(HandshakeCapacity);
        var produced = 0;
        try
        {
            var position = helloLength;

            // The client's records come a round trip after the flight, unless a client sent them with its hello.
            var awaitingReply = true;
            while (true)
            {
                var status = reader.Read(handshake.Data[position..], payload.AsSpan(produced), out var used, out var made);
                position += used;
                produced += made;
                if (status != TlsRecordStatus.Ok)
                {
                    return null;
                }

                if (produced >= Obfuscated2.InitLength)
                {
                    break;
                }

                if (!await handshake.FillAsync(handshake.Count + 1, cancellation, waitFirst: awaitingReply).ConfigureAwait(false))
                {
                    return null;
                }

                awaitingReply = false;
            }

            var wire = payload.AsSpan(0, Obfuscated2.InitLength);
            if (!Obfuscated2.TryAcceptClient(wire, [_context.Users.Keys[keyIndex]], out var init, NeedsClientEncryptor))
            {
                _verdict = HandshakeVerdict.BadInit;
                return null;
            }

            init = init with { KeyIndex = keyIndex };
            if (!IsObfuscatedTagAllowed(init.Tag, insideTls: true))
            {
                DisposeInit(init);
                _verdict = HandshakeVerdict.DisabledMode;
                return null;
            }

            // Everything read so far went through the reader: the relay continues with its state.
            return Authenticated(init, payload.AsSpan(0, produced), reader);
        }
        finally
        {
            ReturnWiped(payload, produced);
        }
    }

    private void ReturnWiped(byte[] buffer, int used)
    {
        System.Security.Cryptography.CryptographicOperations.ZeroMemory(buffer.AsSpan(0, used));
        _context.Buffers.Return(buffer);
    }

    private static ChunkProcessor CreateUpstreamProcessor(Authentication authentication, AesCtr p2d) =>
        authentication.TlsReader is TlsRecordReader reader
            ? new TlsUnwrapProcessor(reader, authentication.Init.Decryptor, p2d)
            : new ObfuscatedProcessor(authentication.Init.Decryptor, p2d);

    private static ChunkProcessor CreateDownstreamProcessor(Authentication authentication, AesCtr? d2p, AesCtr? s2c)
    {
        if (authentication.TlsReader is not null)
        {
            return new TlsWrapProcessor(d2p, s2c);
        }

        return d2p is null && s2c is null ? PassThroughProcessor.Instance : new ObfuscatedProcessor(d2p, s2c);
    }

    /// <summary>What the flight needs of an authenticated hello; the spans point into the assembly buffer.</summary>
    private readonly ref struct AuthenticatedHello(
        int keyIndex, ReadOnlySpan<byte> clientRandom, ReadOnlySpan<byte> sessionId, ushort cipherSuite, ClientHelloOffer offer)
    {
        public int KeyIndex { get; } = keyIndex;

        public ReadOnlySpan<byte> ClientRandom { get; } = clientRandom;

        public ReadOnlySpan<byte> SessionId { get; } = sessionId;

        public ushort CipherSuite { get; } = cipherSuite;

        public ClientHelloOffer Offer { get; } = offer;
    }
}
