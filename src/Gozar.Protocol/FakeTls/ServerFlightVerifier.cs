using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Gozar.Protocol.FakeTls;

/// <summary>
/// The client's check of the proxy's answer, as tdlib (TlsInit) and Telegram Desktop do it (spec §5.6):
/// read <c>16 03 03</c> + length and skip the record unparsed, expect exactly
/// <c>14 03 03 00 01 01 17 03 03</c>, read a length and skip that record, then require bytes 11..43 to
/// equal HMAC-SHA256(K, client_random || everything read, with bytes 11..43 zeroed).
/// </summary>
public static class ServerFlightVerifier
{
    private const int FlightMinimumLength = TlsWire.RandomOffset + TlsWire.RandomLength;
    private const int LengthFieldLength = 2;

    private static ReadOnlySpan<byte> FirstRecordPrefix => [TlsWire.Handshake, 0x03, 0x03];

    private static ReadOnlySpan<byte> ChangeCipherSpecThenDataPrefix =>
        [TlsWire.ChangeCipherSpec, 0x03, 0x03, 0x00, 0x01, 0x01, TlsWire.ApplicationData, 0x03, 0x03];

    /// <summary>
    /// Checks the flight at the start of <paramref name="input"/>. On <see cref="ServerFlightStatus.Ok"/>
    /// <paramref name="consumed"/> is its length; bytes after it are tunnel records.
    /// </summary>
    public static ServerFlightStatus Verify(
        ReadOnlySpan<byte> key,
        ReadOnlySpan<byte> clientRandom,
        ReadOnlySpan<byte> input,
        out int consumed)
    {
        if (clientRandom.Length != TlsWire.RandomLength)
        {
            throw new ArgumentException("The client random is 32 bytes.", nameof(clientRandom));
        }

        consumed = 0;
        var status = ExpectPrefix(input, 0, FirstRecordPrefix);
        if (status != ServerFlightStatus.Ok)
        {
            return status;
        }

        if (input.Length < TlsWire.HeaderLength)
        {
            return ServerFlightStatus.NeedMoreData;
        }

        var second = TlsWire.HeaderLength + BinaryPrimitives.ReadUInt16BigEndian(input[TlsWire.LengthOffset..]);
        status = ExpectPrefix(input, second, ChangeCipherSpecThenDataPrefix);
        if (status != ServerFlightStatus.Ok)
        {
            return status;
        }

        var lengthAt = second + ChangeCipherSpecThenDataPrefix.Length;
        if (input.Length < lengthAt + LengthFieldLength)
        {
            return ServerFlightStatus.NeedMoreData;
        }

        var end = lengthAt + LengthFieldLength + BinaryPrimitives.ReadUInt16BigEndian(input[lengthAt..]);
        if (end < FlightMinimumLength)
        {
            return ServerFlightStatus.Malformed;
        }

        if (input.Length < end)
        {
            return ServerFlightStatus.NeedMoreData;
        }

        var flight = input[..end];
        Span<byte> digest = stackalloc byte[FakeTlsHmac.DigestLength];
        FakeTlsHmac.ComputeWithZeroedRandom(key, clientRandom, flight, digest);
        var matches = CryptographicOperations.FixedTimeEquals(digest, flight.Slice(TlsWire.RandomOffset, TlsWire.RandomLength));
        CryptographicOperations.ZeroMemory(digest);
        if (!matches)
        {
            return ServerFlightStatus.BadHmac;
        }

        consumed = end;
        return ServerFlightStatus.Ok;
    }

    /// <summary>Compares as much of <paramref name="expected"/> as has arrived at <paramref name="offset"/>.</summary>
    private static ServerFlightStatus ExpectPrefix(ReadOnlySpan<byte> input, int offset, ReadOnlySpan<byte> expected)
    {
        if (input.Length <= offset)
        {
            return ServerFlightStatus.NeedMoreData;
        }

        var available = Math.Min(input.Length - offset, expected.Length);
        if (!input.Slice(offset, available).SequenceEqual(expected[..available]))
        {
            return ServerFlightStatus.Malformed;
        }

        return available == expected.Length ? ServerFlightStatus.Ok : ServerFlightStatus.NeedMoreData;
    }
}
