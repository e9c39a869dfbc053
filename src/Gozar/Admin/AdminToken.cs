using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Primitives;

namespace Gozar.Admin;

/// <summary>The admin bearer token: checked in constant time, never logged.</summary>
public sealed class AdminToken
{
    private const string Scheme = "Bearer ";

    /// <summary>32 random bytes as base64url: 43 characters.</summary>
    private const int GeneratedBytes = 32;

    // Digests of equal length, so neither the comparison time nor its length check tells how much of a guess matched.
    private readonly byte[] _digest;

    public AdminToken(string token) => _digest = SHA256.HashData(Encoding.UTF8.GetBytes(token));

    public static string Generate() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(GeneratedBytes))
        .TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>True when the Authorization header is <c>Bearer</c> followed by the token.</summary>
    public bool Accepts(StringValues authorization)
    {
        if (authorization.Count != 1 || authorization[0] is not { } header
            || !header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        Span<byte> presented = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(header[Scheme.Length..].Trim()), presented);
        return CryptographicOperations.FixedTimeEquals(presented, _digest);
    }
}
