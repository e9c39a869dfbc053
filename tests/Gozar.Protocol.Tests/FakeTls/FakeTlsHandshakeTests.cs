using FsCheck.Xunit;
using Gozar.Protocol.FakeTls;
using static Gozar.Protocol.Tests.FakeTls.FakeTlsVectors;

namespace Gozar.Protocol.Tests.FakeTls;

/// <summary>Client and proxy halves of the fake-TLS layer talking to each other.</summary>
public class FakeTlsHandshakeTests
{
    [Fact]
    public void Handshake_SpecVectorsEndToEnd_ProxyGetsFirstPayload()
    {
        var destination = new byte[ClientHelloAssembler.MaxAssembledLength];
        ClientHelloAssembler.TryAssemble(Bytes(ClientHelloRecord), destination, out _, out var written, out _);
        var validation = ClientHelloValidator.Validate(
            destination.AsSpan(0, written), Keys(Key), 1700000003, ClockSkewWindow.Default, [Domain]);
        Assert.True(validation.IsAuthenticated);

        var flight = new byte[ServerHelloFlight.GetLength(100)];
        ServerHelloFlight.Build(
            Keys(Key)[validation.KeyIndex], validation.ClientRandom, validation.SessionId, validation.CipherSuite,
            Bytes(ServerX25519Key), ServerApplicationData(), flight);
        Assert.Equal(ServerFlightRecords, Convert.ToHexStringLower(flight));

        var payload = new byte[100];
        new TlsRecordReader().Read(Bytes(ClientFirstRecords), payload, out _, out var produced);
        Assert.Equal(ClientFirstPayload, Convert.ToHexStringLower(payload, 0, produced));
    }

    [Property(MaxTest = 60)]
    public void Handshake_RandomUsersShapesAndFragmentation_BothSidesAuthenticateAndTunnelRoundTrips(int seed)
    {
        var random = new Random(seed);
        var keys = new byte[random.Next(1, 6)][];
        for (var i = 0; i < keys.Length; i++)
        {
            keys[i] = FakeTlsTestData.RandomBytes(random, 16);
        }

        var user = random.Next(keys.Length);
        var shape = random.Next(2) == 0 ? ClientHelloShape.Classic : ClientHelloShape.PostQuantum;
        var domain = FakeTlsTestData.RandomDomain(random);
        var now = 1_600_000_000L + random.Next(0, 400_000_000);
        var clientClock = now + random.Next(-600, 121);
        var entropy = FakeTlsTestData.RandomBytes(random, ClientHelloBuilder.GetEntropyLength(shape));
        var hello = FakeTlsTestData.BuildHello(keys[user], domain, clientClock, entropy, shape);
        var onWire = random.Next(3) == 0
            ? FakeTlsTestData.Fragment(hello, FakeTlsTestData.RandomSizes(random, hello.Length - 5, random.Next(2, 11)))
            : hello;

        var assembled = new byte[ClientHelloAssembler.MaxAssembledLength];
        Assert.Equal(ClientHelloStatus.Ok, ClientHelloAssembler.TryAssemble(onWire, assembled, out _, out var written, out _));
        var validation = ClientHelloValidator.Validate(
            assembled.AsSpan(0, written), keys, now, ClockSkewWindow.Default, ["other.example", domain.ToUpperInvariant()]);
        Assert.Equal(ClientHelloOutcome.Authenticated, validation.Outcome);
        Assert.Equal(user, validation.KeyIndex);
        Assert.Equal((uint)clientClock, validation.Timestamp);
        Assert.Equal(1, validation.DomainIndex);

        var fakePayload = FakeTlsTestData.RandomBytes(random, random.Next(2500, 4701));
        var flight = new byte[ServerHelloFlight.GetLength(fakePayload.Length)];
        ServerHelloFlight.Build(
            keys[validation.KeyIndex], validation.ClientRandom, validation.SessionId, validation.CipherSuite,
            FakeTlsTestData.RandomBytes(random, 32), fakePayload, flight);
        Assert.Equal(ServerFlightStatus.Ok, ServerFlightVerifier.Verify(keys[user], hello.AsSpan(11, 32), flight, out var consumed));
        Assert.Equal(flight.Length, consumed);

        var tunnel = FakeTlsTestData.RandomBytes(random, random.Next(64, 40000));
        byte[] clientRecords = [0x14, 0x03, 0x03, 0x00, 0x01, 0x01, .. Wrap(tunnel)];
        var received = new byte[tunnel.Length];
        Assert.Equal(TlsRecordStatus.Ok, new TlsRecordReader().Read(clientRecords, received, out _, out var produced));
        Assert.Equal(tunnel.Length, produced);
        Assert.Equal(tunnel, received);
    }

    private static byte[] Wrap(byte[] payload)
    {
        var wrapped = new byte[TlsRecordWriter.GetWrappedLength(payload.Length)];
        TlsRecordWriter.Wrap(payload, wrapped);
        return wrapped;
    }
}
