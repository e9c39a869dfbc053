namespace Gozar.Protocol.FakeTls;

/// <summary>
/// How long the fake ApplicationData record of the ServerHello flight is (spec §5.6, §6.3): a uniform
/// pick from <see cref="Minimum"/>..<see cref="Maximum"/>, derived from the mask site's measured record lengths (see TlsProfile).
/// </summary>
public readonly record struct ApplicationDataLengthPolicy
{
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

    /// <summary>Picks a length from a caller-supplied random number.</summary>
    public int Pick(uint random) => Minimum + (int)(random % (uint)(Maximum - Minimum + 1));
}
