namespace Gozar.Protocol.FakeTls;

/// <summary>
/// How long the fake ApplicationData record of the ServerHello flight is (spec §5.6, §6.3): a uniform
/// pick from <see cref="Minimum"/>..<see cref="Maximum"/>, derived from the mask site's measured lengths.
/// </summary>
public readonly record struct ApplicationDataLengthPolicy
{
    /// <summary>Used when the mask site could not be probed (spec §6.3 recommendation).</summary>
    public static ApplicationDataLengthPolicy Fallback { get; } = new(2500, 4700);

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

    /// <summary>
    /// Like the official proxy: all samples equal → exactly that length; spread of at most 3 → max-1
    /// with ±1 jitter; otherwise the rounded mean with ±1 jitter. No samples → <see cref="Fallback"/>.
    /// </summary>
    public static ApplicationDataLengthPolicy FromSamples(ReadOnlySpan<int> lengths)
    {
        if (lengths.IsEmpty)
        {
            return Fallback;
        }

        var min = int.MaxValue;
        var max = int.MinValue;
        long sum = 0;
        foreach (var length in lengths)
        {
            min = Math.Min(min, length);
            max = Math.Max(max, length);
            sum += length;
        }

        if (min == max)
        {
            return Around(min, 0);
        }

        var center = max - min <= 3 ? max - 1 : (int)((sum + (lengths.Length / 2)) / lengths.Length);
        return Around(center, 1);
    }

    /// <summary>Picks a length from a caller-supplied random number.</summary>
    public int Pick(uint random) => Minimum + (int)(random % (uint)(Maximum - Minimum + 1));

    private static ApplicationDataLengthPolicy Around(int center, int jitter) =>
        new(
            Math.Clamp(center - jitter, 1, ServerHelloFlight.MaxApplicationDataLength),
            Math.Clamp(center + jitter, 1, ServerHelloFlight.MaxApplicationDataLength));
}
