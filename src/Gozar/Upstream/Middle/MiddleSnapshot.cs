using System.Buffers.Binary;
using Gozar.Protocol.MiddleProxy;

namespace Gozar.Upstream.Middle;

/// <summary>One consistent set of the middle-end files (spec §7.1): the proxy secret and the IPv4 and IPv6 lists.</summary>
public sealed record MiddleSnapshot(byte[] Secret, ProxyConfig Ipv4, ProxyConfig? Ipv6)
{
    /// <summary>Why a proxy secret cannot be used, or null when it can: 32..256 bytes, key selector not zero (§7.1, §7.3).</summary>
    public static string? CheckSecret(ReadOnlySpan<byte> secret)
    {
        if (secret.Length is < MiddleKeyDerivation.MinSecretLength or > MiddleKeyDerivation.MaxSecretLength)
        {
            return $"is {secret.Length} bytes; a proxy secret has {MiddleKeyDerivation.MinSecretLength}..{MiddleKeyDerivation.MaxSecretLength}";
        }

        return BinaryPrimitives.ReadUInt32LittleEndian(secret) == 0
            ? "starts with 4 zero bytes, which middle-ends refuse as a key selector"
            : null;
    }

    /// <summary>Why a middle-end list cannot be used, or null with the parsed list.</summary>
    public static string? CheckConfig(string text, out ProxyConfig config) =>
        ProxyConfigFile.TryParse(text, out config) == ProxyConfigParseStatus.Ok ? null : "has no proxy_for line";
}
