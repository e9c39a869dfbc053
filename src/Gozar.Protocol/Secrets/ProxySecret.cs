using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;

namespace Gozar.Protocol.Secrets;

/// <summary>
/// A client-facing secret (spec §1.2): the 16-byte key plus the transport flavour and, for fake-TLS, the SNI domain.
/// Every instance is one that both tdlib-based apps and Telegram Desktop accept.
/// </summary>
/// <remarks>
/// Decoded layouts:
/// <code>
/// classic   [ key (16) ]
/// secure    [ 0xdd ][ key (16) ]
/// fake-TLS  [ 0xee ][ key (16) ][ domain (4..182 ASCII) ]
/// </code>
/// The domain bounds keep to what every client accepts: Desktop wants at least 21 decoded bytes (a domain of 4 or more
/// characters), tdlib refuses more than 17 + 182 bytes. Domains keep their case; SNI comparison is a later layer's job.
/// </remarks>
public sealed class ProxySecret : IEquatable<ProxySecret>
{
    public const int KeyLength = 16;
    public const int MinDomainLength = 4;
    public const int MaxDomainLength = 182;

    private const byte SecureMarker = 0xdd;
    private const byte FakeTlsMarker = 0xee;
    private const int MarkerLength = 1;
    private const int MaxDecodedLength = MarkerLength + KeyLength + MaxDomainLength;

    private readonly byte[] _key;

    private ProxySecret(SecretKind kind, ReadOnlySpan<byte> key, string? domain)
    {
        Kind = kind;
        _key = key.ToArray();
        Domain = domain;
    }

    public SecretKind Kind { get; }

    public ReadOnlySpan<byte> Key => _key;

    /// <summary>The SNI domain; null unless <see cref="Kind"/> is <see cref="SecretKind.FakeTls"/>.</summary>
    public string? Domain { get; }

    public static ProxySecret Classic(ReadOnlySpan<byte> key) => new(SecretKind.Classic, CheckKey(key), null);

    public static ProxySecret Secure(ReadOnlySpan<byte> key) => new(SecretKind.Secure, CheckKey(key), null);

    public static ProxySecret FakeTls(ReadOnlySpan<byte> key, string domain)
    {
        var error = CheckDomain(domain);
        if (error != SecretParseError.None)
        {
            throw new ArgumentException($"Not a usable fake-TLS domain ({error}).", nameof(domain));
        }

        return new ProxySecret(SecretKind.FakeTls, CheckKey(key), domain);
    }

    /// <summary>True when <paramref name="domain"/> can go into an ee secret: an ASCII host name of 4..182 characters.</summary>
    public static bool IsValidDomain(string domain) => CheckDomain(domain) == SecretParseError.None;

    public static bool TryParse(string text, [NotNullWhen(true)] out ProxySecret? secret) =>
        TryParse(text, out secret, out _);

    /// <summary>
    /// Reads a secret the way tdlib does (spec §1.2): hex first and, only if the text is not hex, base64url.
    /// Standard base64 (<c>+</c>, <c>/</c>) is refused: recent tdlib reads it but Desktop does not. Padding '=' is tolerated
    /// when correct, as both clients do. Anything beyond the three layouts is refused, including "long dd" secrets.
    /// </summary>
    public static bool TryParse(string text, [NotNullWhen(true)] out ProxySecret? secret, out SecretParseError error)
    {
        secret = null;
        var decoded = new byte[text.Length];
        try
        {
            int length;
            if (!SecretText.TryDecodeHex(text, decoded, out length)
                && !SecretText.TryDecodeBase64Url(text, decoded, out length))
            {
                error = SecretParseError.BadEncoding;
                return false;
            }

            error = FromBytes(decoded.AsSpan(0, length), out secret);
            return error == SecretParseError.None;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(decoded);
        }
    }

    /// <summary>
    /// Reads a user's key as written in the configuration: exactly 32 hex digits, either case. Client spellings
    /// (dd…, ee…domain, base64url) are refused on purpose: the mode and the domain a user copied from a link would be
    /// silently dropped, since modes and TLS domains are configured separately.
    /// </summary>
    public static bool TryParseKey(string hex, out byte[] key)
    {
        key = [];
        if (hex.Length != KeyLength * 2)
        {
            return false;
        }

        var buffer = new byte[KeyLength];
        if (!SecretText.TryDecodeHex(hex, buffer, out _))
        {
            return false;
        }

        key = buffer;
        return true;
    }

    /// <summary>Lower-case hex: 32 digits for classic, "dd" + 32 for secure, "ee" + 32 + hex(domain) for fake-TLS.</summary>
    public string ToHex()
    {
        Span<byte> bytes = stackalloc byte[MaxDecodedLength];
        var text = Convert.ToHexStringLower(bytes[..WriteBytes(bytes)]);
        CryptographicOperations.ZeroMemory(bytes);
        return text;
    }

    /// <summary>
    /// base64url without padding. For a classic key whose 22 characters happen to be all hex digits (the all-zero key
    /// is one), tdlib reads the text as 11 hex bytes and refuses it; hex is the safe spelling to hand out.
    /// </summary>
    public string ToBase64Url()
    {
        Span<byte> bytes = stackalloc byte[MaxDecodedLength];
        var text = Base64Url.EncodeToString(bytes[..WriteBytes(bytes)]);
        CryptographicOperations.ZeroMemory(bytes);
        return text;
    }

    public bool Equals(ProxySecret? other) =>
        other is not null
        && Kind == other.Kind
        && string.Equals(Domain, other.Domain, StringComparison.Ordinal)
        && CryptographicOperations.FixedTimeEquals(_key, other._key);

    public override bool Equals(object? obj) => Equals(obj as ProxySecret);

    // The key stays out of the hash: hash codes end up in places nobody wipes.
    public override int GetHashCode() => HashCode.Combine(Kind, Domain);

    public override string ToString() => Domain is null ? $"{Kind} secret" : $"{Kind} secret for {Domain}";

    private static SecretParseError FromBytes(ReadOnlySpan<byte> bytes, out ProxySecret? secret)
    {
        secret = null;
        if (bytes.Length < KeyLength)
        {
            return SecretParseError.TooShort;
        }

        if (bytes.Length == KeyLength)
        {
            secret = new ProxySecret(SecretKind.Classic, bytes, null);
            return SecretParseError.None;
        }

        if (bytes[0] == SecureMarker && bytes.Length == MarkerLength + KeyLength)
        {
            secret = new ProxySecret(SecretKind.Secure, bytes.Slice(MarkerLength, KeyLength), null);
            return SecretParseError.None;
        }

        if (bytes[0] != FakeTlsMarker || bytes.Length == MarkerLength + KeyLength)
        {
            return SecretParseError.UnsupportedLayout;
        }

        var domainBytes = bytes[(MarkerLength + KeyLength)..];
        if (!Ascii.IsValid(domainBytes))
        {
            return SecretParseError.InvalidDomain;
        }

        var domain = Encoding.ASCII.GetString(domainBytes);
        var error = CheckDomain(domain);
        if (error == SecretParseError.None)
        {
            secret = new ProxySecret(SecretKind.FakeTls, bytes.Slice(MarkerLength, KeyLength), domain);
        }

        return error;
    }

    private int WriteBytes(Span<byte> destination)
    {
        if (Kind == SecretKind.Classic)
        {
            _key.CopyTo(destination);
            return KeyLength;
        }

        destination[0] = Kind == SecretKind.Secure ? SecureMarker : FakeTlsMarker;
        _key.CopyTo(destination[MarkerLength..]);
        var length = MarkerLength + KeyLength;
        if (Domain is not null)
        {
            length += Encoding.ASCII.GetBytes(Domain, destination[length..]);
        }

        return length;
    }

    private static SecretParseError CheckDomain(string domain)
    {
        if (domain.Length < MinDomainLength)
        {
            return SecretParseError.DomainTooShort;
        }

        if (domain.Length > MaxDomainLength)
        {
            return SecretParseError.DomainTooLong;
        }

        return HostName.IsValid(domain) ? SecretParseError.None : SecretParseError.InvalidDomain;
    }

    private static ReadOnlySpan<byte> CheckKey(ReadOnlySpan<byte> key) =>
        key.Length == KeyLength ? key : throw new ArgumentException("A proxy key is 16 bytes.", nameof(key));
}
