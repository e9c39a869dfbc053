using System.Net;
using Gozar.Protocol.Crypto;

namespace Gozar.Users;

/// <summary>
/// How a client address is remembered for max_unique_ips: the address itself only when the operator allowed client
/// addresses in logs (log_client_ips), otherwise a keyed HMAC-SHA256 with this install's salt, so the state file does
/// not hold addresses in the clear.
/// </summary>
public sealed class ClientAddressKeys
{
    public const int SaltLength = 32;

    /// <summary>Enough bits that two addresses of one user practically never collide; short enough for a small file.</summary>
    private const int KeyBytes = 12;

    private const string HashPrefix = "h:";

    private readonly byte[] _salt;
    private readonly HmacSha256 _mac;

    public ClientAddressKeys(byte[] salt, bool plain)
    {
        ArgumentNullException.ThrowIfNull(salt);
        if (salt.Length != SaltLength)
        {
            throw new ArgumentException($"the salt must be {SaltLength} bytes", nameof(salt));
        }

        _salt = salt;
        _mac = new HmacSha256(salt);
        Plain = plain;
    }

    public bool Plain { get; }

    public ReadOnlySpan<byte> Salt => _salt;

    /// <summary>The key for <paramref name="address"/>; an IPv4-mapped IPv6 address keys like the IPv4 one.</summary>
    public string KeyOf(IPAddress? address)
    {
        if (address is null)
        {
            return "-";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (Plain)
        {
            return address.ToString();
        }

        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out var written);
        Span<byte> mac = stackalloc byte[Sha256.HashSize];
        _mac.Compute(bytes[..written], mac);
        return HashPrefix + Convert.ToBase64String(mac[..KeyBytes]);
    }

    /// <summary>
    /// The key that <paramref name="key"/>, made under earlier settings, has under these: an address kept in the clear
    /// while log_client_ips was on becomes its keyed hash once it is off. Keyed ones stay as they are.
    /// </summary>
    public string Rekey(string key) => !Plain && IPAddress.TryParse(key, out var address) ? KeyOf(address) : key;
}
