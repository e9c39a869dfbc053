using FsCheck.Xunit;
using Gozar.Protocol.FakeTls;
using static Gozar.Protocol.Tests.FakeTls.FakeTlsVectors;

namespace Gozar.Protocol.Tests.FakeTls;

public class ServerFlightVerifierTests
{
    [Fact]
    public void Verify_SpecFlightFollowedByTunnelData_OkConsuming238()
    {
        byte[] input = [.. Bytes(ServerFlightRecords), 0x17, 0x03, 0x03, 0x00, 0x01, 0xaa];

        var status = ServerFlightVerifier.Verify(Bytes(Key), Bytes(ClientRandom), input, out var consumed);

        Assert.Equal(ServerFlightStatus.Ok, status);
        Assert.Equal(238, consumed);
    }

    [Fact]
    public void Verify_EveryPrefixOfSpecFlight_NeedMoreData()
    {
        var flight = Bytes(ServerFlightRecords);
        for (var length = 0; length < flight.Length; length++)
        {
            Assert.Equal(
                ServerFlightStatus.NeedMoreData,
                ServerFlightVerifier.Verify(Bytes(Key), Bytes(ClientRandom), flight.AsSpan(0, length), out _));
        }
    }

    [Fact]
    public void Verify_WrongKey_BadHmac()
    {
        var status = ServerFlightVerifier.Verify(
            Bytes("ffeeddccbbaa99887766554433221100"), Bytes(ClientRandom), Bytes(ServerFlightRecords), out var consumed);

        Assert.Equal(ServerFlightStatus.BadHmac, status);
        Assert.Equal(0, consumed);
    }

    [Fact]
    public void Verify_OtherClientRandom_BadHmac()
    {
        var clientRandom = Bytes(ClientRandom);
        clientRandom[0] ^= 1;

        Assert.Equal(ServerFlightStatus.BadHmac, ServerFlightVerifier.Verify(Bytes(Key), clientRandom, Bytes(ServerFlightRecords), out _));
    }

    [Theory]
    [InlineData(0, 0x17)]
    [InlineData(2, 0x01)]
    [InlineData(127, 0x15)]
    [InlineData(132, 0x02)]
    [InlineData(135, 0x16)]
    public void Verify_UnexpectedRecordBytes_Malformed(int offset, byte value)
    {
        var flight = Bytes(ServerFlightRecords);
        flight[offset] = value;

        Assert.Equal(ServerFlightStatus.Malformed, ServerFlightVerifier.Verify(Bytes(Key), Bytes(ClientRandom), flight, out _));
    }

    [Fact]
    public void Verify_FlightShorterThanRandomField_Malformed()
    {
        var input = Bytes("16030300001403030001011703030000");

        Assert.Equal(ServerFlightStatus.Malformed, ServerFlightVerifier.Verify(Bytes(Key), Bytes(ClientRandom), input, out _));
    }

    [Property(MaxTest = 500)]
    public bool Verify_RandomBytes_NeverOk(byte[] input)
    {
        var status = ServerFlightVerifier.Verify(Bytes(Key), Bytes(ClientRandom), input, out _);
        return status != ServerFlightStatus.Ok && Enum.IsDefined(status);
    }
}
