using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Gozar.Protocol.FakeTls;

/// <summary>
/// Authenticates a single-record fake-TLS ClientHello against the users' keys (spec §5.2-5.5).
/// Use <see cref="ClientHelloAssembler"/> first to obtain the single-record form from the stream.
/// </summary>
public static class ClientHelloValidator
{
    /// <summary>Bytes of the random that must equal the HMAC; the remaining 4 carry the timestamp.</summary>
    private const int DigestMatchLength = 28;

    /// <summary>
    /// Checks, in this order: structure, HMAC for each key (§5.3 step 4), clock skew (§5.4), SNI (§5.5).
    /// </summary>
    /// <param name="record">One complete ClientHello record, header included.</param>
    /// <param name="keys">The users' 16-byte keys; the result names the matching index.</param>
    /// <param name="allowedDomains">
    /// When non-empty, the SNI must equal one of these (ASCII case-insensitive); a hello without SNI fails.
    /// When empty, the SNI is not checked.
    /// </param>
    /// <remarks>
    /// Keys are tried in order and the loop stops at the first match: timing then reveals only the
    /// matching position, never key material, and the digest comparison itself is constant-time.
    /// </remarks>
    public static ClientHelloValidation Validate(
        ReadOnlySpan<byte> record,
        ReadOnlySpan<byte[]> keys,
        long nowUnixSeconds,
        ClockSkewWindow clockSkew,
        ReadOnlySpan<string> allowedDomains)
    {
        var status = ClientHello.TryParse(record, out var hello);
        if (status != ClientHelloStatus.Ok)
        {
            var outcome = status == ClientHelloStatus.Malformed ? ClientHelloOutcome.Malformed : ClientHelloOutcome.NotAHello;
            return new ClientHelloValidation(outcome, default, -1, 0, -1);
        }

        var keyIndex = FindKey(hello, keys, out var timestamp);
        if (keyIndex < 0)
        {
            return new ClientHelloValidation(ClientHelloOutcome.BadHmac, hello, -1, 0, -1);
        }

        if (!clockSkew.Allows(timestamp, nowUnixSeconds))
        {
            return new ClientHelloValidation(ClientHelloOutcome.ClockSkew, hello, keyIndex, timestamp, -1);
        }

        if (allowedDomains.IsEmpty)
        {
            return new ClientHelloValidation(ClientHelloOutcome.Authenticated, hello, keyIndex, timestamp, -1);
        }

        var domainIndex = FindDomain(hello.ServerName, allowedDomains);
        var verdict = domainIndex < 0 ? ClientHelloOutcome.UnknownSni : ClientHelloOutcome.Authenticated;
        return new ClientHelloValidation(verdict, hello, keyIndex, timestamp, domainIndex);
    }

    /// <summary>
    /// Lets go of the HMAC contexts kept per user key and thread (each thread at its next check): call when users were
    /// removed or their keys changed, so their keyed contexts do not outlive the configuration.
    /// </summary>
    public static void ForgetKeys() => KeyedHmacCache.ForgetAll();

    private static int FindKey(ClientHello hello, ReadOnlySpan<byte[]> keys, out uint timestamp)
    {
        timestamp = 0;
        var record = hello.Record;
        var random = hello.Random;
        byte[]? rented = null;
        Span<byte> scratch = record.Length <= FakeTlsHmac.StackCopyLimit
            ? stackalloc byte[FakeTlsHmac.StackCopyLimit]
            : (rented = ArrayPool<byte>.Shared.Rent(record.Length));
        Span<byte> digest = stackalloc byte[FakeTlsHmac.DigestLength];
        try
        {
            var zeroed = scratch[..record.Length];
            record.CopyTo(zeroed);
            zeroed.Slice(ClientHello.RandomOffset, ClientHello.RandomLength).Clear();
            for (var i = 0; i < keys.Length; i++)
            {
                FakeTlsHmac.Compute(keys[i], zeroed, digest);
                if (CryptographicOperations.FixedTimeEquals(digest[..DigestMatchLength], random[..DigestMatchLength]))
                {
                    timestamp = BinaryPrimitives.ReadUInt32LittleEndian(digest[DigestMatchLength..])
                        ^ BinaryPrimitives.ReadUInt32LittleEndian(random[DigestMatchLength..]);
                    return i;
                }
            }

            return -1;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(digest);
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private static int FindDomain(ReadOnlySpan<byte> serverName, ReadOnlySpan<string> allowedDomains)
    {
        if (serverName.IsEmpty)
        {
            return -1;
        }

        for (var i = 0; i < allowedDomains.Length; i++)
        {
            if (Ascii.EqualsIgnoreCase(serverName, allowedDomains[i]))
            {
                return i;
            }
        }

        return -1;
    }
}
