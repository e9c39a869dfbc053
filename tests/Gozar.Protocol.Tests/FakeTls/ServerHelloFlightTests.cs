using FsCheck.Xunit;
using Gozar.Protocol.FakeTls;
using static Gozar.Protocol.Tests.FakeTls.FakeTlsVectors;

namespace Gozar.Protocol.Tests.FakeTls;

public class ServerHelloFlightTests
{
    [Fact]
    public void Build_SpecInputs_Reproduces238ByteVector()
    {
        var destination = new byte[ServerHelloFlight.GetLength(100)];

        var written = ServerHelloFlight.Build(
            Bytes(Key), Bytes(ClientRandom), Bytes(SessionId), 0x1301, Bytes(ServerX25519Key), ServerApplicationData(), destination);

        Assert.Equal(238, written);
        Assert.Equal(238, destination.Length);
        Assert.Equal(ServerFlightRecords, Convert.ToHexStringLower(destination));
        Assert.Equal(ServerRandom, Convert.ToHexStringLower(destination.AsSpan(11, 32)));
    }

    [Fact]
    public void Build_PayloadAlreadyInPlace_SameBytes()
    {
        var destination = new byte[238];
        ServerApplicationData().CopyTo(destination, 138);

        ServerHelloFlight.Build(
            Bytes(Key), Bytes(ClientRandom), Bytes(SessionId), 0x1301, Bytes(ServerX25519Key), destination.AsSpan(138), destination);

        Assert.Equal(ServerFlightRecords, Convert.ToHexStringLower(destination));
    }

    [Fact]
    public void Build_SupportedVersionsFirst_SwapsExtensionsAndStillVerifies()
    {
        var destination = new byte[238];

        ServerHelloFlight.Build(
            Bytes(Key), Bytes(ClientRandom), Bytes(SessionId), 0x1302, Bytes(ServerX25519Key), ServerApplicationData(),
            ServerHelloExtensionOrder.SupportedVersionsFirst, destination);

        Assert.Equal(Bytes("1302"), destination[76..78]);
        Assert.Equal(Bytes("002b000203040033002400" + "1d0020"), destination[81..95]);
        Assert.Equal(Bytes(ServerX25519Key), destination[95..127]);
        Assert.Equal(ServerFlightStatus.Ok, ServerFlightVerifier.Verify(Bytes(Key), Bytes(ClientRandom), destination, out _));
    }

    [Fact]
    public void Build_ShortSessionId_LengthsFollow()
    {
        var sessionId = Bytes("0102030405");
        var destination = new byte[ServerHelloFlight.GetLength(10, sessionId.Length)];

        var written = ServerHelloFlight.Build(
            Bytes(Key), Bytes(ClientRandom), sessionId, 0x1301, Bytes(ServerX25519Key), new byte[10], destination);

        Assert.Equal(95 + 5 + 6 + 5 + 10, written);
        Assert.Equal(Bytes("160303005f0200005b0303"), destination[..11]);
        Assert.Equal(ServerFlightStatus.Ok, ServerFlightVerifier.Verify(Bytes(Key), Bytes(ClientRandom), destination, out _));
    }

    [Fact]
    public void Build_HybridKeyShare_CarriesTheWholeShareAndStillVerifies()
    {
        var share = new byte[1120];
        new Random(7).NextBytes(share);
        var destination = new byte[ServerHelloFlight.GetLength(100, 32, ServerHelloFlight.X25519MlKem768Group)];

        var written = ServerHelloFlight.Build(
            Bytes(Key), Bytes(ClientRandom), Bytes(SessionId), 0x1301, ServerHelloExtensionOrder.KeyShareFirst,
            ServerHelloFlight.X25519MlKem768Group, share, ServerApplicationData(), destination);

        Assert.Equal(238 + 1088, written);
        Assert.Equal(Bytes("16030304ba020004b60303"), destination[..11]);
        Assert.Equal(Bytes("046e0033046411ec0460"), destination[79..89]);
        Assert.Equal(share, destination[89..1209]);
        Assert.Equal(Bytes("002b00020304140303000101170303"), destination[1209..1224]);
        Assert.Equal(ServerFlightStatus.Ok, ServerFlightVerifier.Verify(Bytes(Key), Bytes(ClientRandom), destination, out var consumed));
        Assert.Equal(written, consumed);
    }

    [Theory]
    [InlineData(0x001d, 1120)]
    [InlineData(0x11ec, 32)]
    public void Build_KeyShareOfAnotherGroupsLength_Throws(int group, int length)
    {
        var destination = new byte[2000];

        Assert.Throws<ArgumentException>(() => ServerHelloFlight.Build(
            Bytes(Key), Bytes(ClientRandom), Bytes(SessionId), 0x1301, ServerHelloExtensionOrder.KeyShareFirst, (ushort)group,
            new byte[length], new byte[10], destination));
    }

    [Fact]
    public void GetKeyShareLength_GroupWeDoNotBuild_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ServerHelloFlight.GetKeyShareLength(0x0017));
    }

    [Fact]
    public void Build_DestinationTooSmall_Throws()
    {
        var destination = new byte[237];

        Assert.Throws<ArgumentException>(() => ServerHelloFlight.Build(
            Bytes(Key), Bytes(ClientRandom), Bytes(SessionId), 0x1301, Bytes(ServerX25519Key), ServerApplicationData(), destination));
    }

    [Fact]
    public void Build_PayloadOverTlsCiphertextLimit_Throws()
    {
        var destination = new byte[ServerHelloFlight.GetLength(16641)];

        Assert.Throws<ArgumentException>(() => ServerHelloFlight.Build(
            Bytes(Key), Bytes(ClientRandom), Bytes(SessionId), 0x1301, Bytes(ServerX25519Key), new byte[16641], destination));
    }

    [Property(MaxTest = 100)]
    public void Build_RandomInputs_VerifierAcceptsAndRejectsAnyFlippedByte(int seed)
    {
        var random = new Random(seed);
        var key = FakeTlsTestData.RandomBytes(random, 16);
        var clientRandom = FakeTlsTestData.RandomBytes(random, 32);
        var sessionId = FakeTlsTestData.RandomBytes(random, random.Next(0, 33));
        var payload = FakeTlsTestData.RandomBytes(random, random.Next(0, 5000));
        var order = random.Next(2) == 0 ? ServerHelloExtensionOrder.KeyShareFirst : ServerHelloExtensionOrder.SupportedVersionsFirst;
        var flight = new byte[ServerHelloFlight.GetLength(payload.Length, sessionId.Length)];

        var written = ServerHelloFlight.Build(
            key, clientRandom, sessionId, 0x1303, FakeTlsTestData.RandomBytes(random, 32), payload, order, flight);

        Assert.Equal(flight.Length, written);
        Assert.Equal(ServerFlightStatus.Ok, ServerFlightVerifier.Verify(key, clientRandom, flight, out var consumed));
        Assert.Equal(flight.Length, consumed);
        flight[random.Next(flight.Length)] ^= (byte)random.Next(1, 256);
        Assert.NotEqual(ServerFlightStatus.Ok, ServerFlightVerifier.Verify(key, clientRandom, flight, out _));
    }
}
