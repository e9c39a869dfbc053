using System.Numerics;

namespace Gozar.Protocol.FakeTls;

/// <summary>
/// How long the fake ApplicationData record of the ServerHello flight is (spec §5.6, §6.3): a pick from
/// <see cref="Minimum"/>..<see cref="Maximum"/>, derived from the mask site's measured record lengths (see TlsProfile).
/// </summary>
/// <remarks>
/// What makes a real site's flight vary is its ECDSA signature (CertificateVerify): each of the signature's two DER
/// integers is one byte longer when its top bit is set, so nginx's flight is its shortest length a quarter of the time,
/// one more half of the time, two more a quarter. The pick follows that: one fair coin per step of the range, a
/// binomial rather than a uniform pick, which an observer comparing many flights with the site's could tell apart.
/// Ranges wider than 32 steps, which no signature makes, are picked uniformly.
/// </remarks>
public readonly record struct ApplicationDataLengthPolicy
{
    // One bit of the caller's random number per step.
    private const int MaxBinomialSteps = 32;

    /// <param name="minimum">Smallest length, at least 1.</param>
    /// <param name="maximum">Largest length, at most 16384 + 256.</param>
    public ApplicationDataLengthPolicy(int minimum, int maximum)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(minimum, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maximum, ServerHelloFlight.MaxApplicationDataLength);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minimum, maximum);
        Minimum = minimum;
        Maximum = maximum;
    }

    public int Minimum { get; }

    public int Maximum { get; }

    /// <summary>Picks a length from a caller-supplied random number (its low bits, one per step of the range).</summary>
    public int Pick(uint random)
    {
        var steps = Maximum - Minimum;
        return steps <= MaxBinomialSteps
            ? Minimum + BitOperations.PopCount(random & (uint)((1UL << steps) - 1))
            : Minimum + (int)(random % (uint)(steps + 1));
    }
}
