using System.Security.Cryptography;

namespace Gozar.Sessions;

/// <summary>Randomness for handshakes, injected so tests can pin it.</summary>
public interface IRandomSource
{
    void Fill(Span<byte> destination);

    /// <summary>A value in [minInclusive, maxExclusive).</summary>
    int Next(int minInclusive, int maxExclusive);
}

public sealed class SecureRandomSource : IRandomSource
{
    public static readonly SecureRandomSource Instance = new();

    public void Fill(Span<byte> destination) => RandomNumberGenerator.Fill(destination);

    public int Next(int minInclusive, int maxExclusive) => RandomNumberGenerator.GetInt32(minInclusive, maxExclusive);
}
