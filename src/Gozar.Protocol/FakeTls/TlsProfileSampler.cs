using System.Diagnostics.CodeAnalysis;

namespace Gozar.Protocol.FakeTls;

/// <summary>
/// Turns a mask site's answers to several Telegram-like ClientHellos into a <see cref="TlsProfile"/> (spec §6.3).
/// Each answer is everything the site sent before it went quiet to wait for the client's Finished.
/// </summary>
public sealed class TlsProfileSampler
{
    private readonly List<Sample> _samples = [];

    public int Count => _samples.Count;

    /// <summary>
    /// Reads an answer: a flight <see cref="MaskSiteFlight.TryParse"/> accepts, followed by whole ApplicationData
    /// records only. Ok when it ends on a record boundary after at least one of them.
    /// </summary>
    /// <param name="lengths">Receives the encrypted records' payload lengths (<see cref="TlsProfile.MaxEncryptedRecords"/> fit).</param>
    public static MaskSiteFlightStatus Examine(
        ReadOnlySpan<byte> response,
        ReadOnlySpan<byte> sentSessionId,
        Span<int> lengths,
        out MaskSiteFlight flight,
        out int count)
    {
        count = 0;
        var status = MaskSiteFlight.TryParse(response, sentSessionId, out flight);
        if (status != MaskSiteFlightStatus.Ok)
        {
            return status;
        }

        return MaskSiteFlight.TryReadEncryptedRecords(response[flight.EncryptedRecordsOffset..], lengths, out count);
    }

    /// <summary>Keeps the answer when <see cref="Examine"/> accepts it; returns its status either way.</summary>
    public MaskSiteFlightStatus Add(ReadOnlySpan<byte> response, ReadOnlySpan<byte> sentSessionId)
    {
        Span<int> lengths = stackalloc int[TlsProfile.MaxEncryptedRecords];
        var status = Examine(response, sentSessionId, lengths, out var flight, out var count);
        if (status == MaskSiteFlightStatus.Ok)
        {
            _samples.Add(new Sample(flight, lengths[..count].ToArray()));
        }

        return status;
    }

    /// <summary>
    /// The profile of the samples added so far: they must agree on suite, extension order, key share group and
    /// record count (a site that varies those cannot be imitated by one profile); record lengths become ranges.
    /// </summary>
    public bool TryBuild(string source, [NotNullWhen(true)] out TlsProfile? profile, [NotNullWhen(false)] out string? problem)
    {
        profile = null;
        if (_samples.Count == 0)
        {
            problem = "no answer could be read";
            return false;
        }

        var first = _samples[0];
        foreach (var sample in _samples)
        {
            problem = Disagreement(first, sample);
            if (problem is not null)
            {
                return false;
            }
        }

        var ranges = new RecordLengthRange[first.Lengths.Length];
        for (var i = 0; i < ranges.Length; i++)
        {
            var minimum = int.MaxValue;
            var maximum = 0;
            foreach (var sample in _samples)
            {
                minimum = Math.Min(minimum, sample.Lengths[i]);
                maximum = Math.Max(maximum, sample.Lengths[i]);
            }

            ranges[i] = new RecordLengthRange(minimum, maximum);
        }

        profile = new TlsProfile(first.Flight.CipherSuite, first.Flight.ExtensionOrder, first.Flight.KeyShareGroup, ranges, source);
        problem = null;
        return true;
    }

    private static string? Disagreement(Sample first, Sample other)
    {
        if (other.Flight.CipherSuite != first.Flight.CipherSuite)
        {
            return $"the site chose different cipher suites (0x{first.Flight.CipherSuite:x4}, 0x{other.Flight.CipherSuite:x4})";
        }

        if (other.Flight.ExtensionOrder != first.Flight.ExtensionOrder)
        {
            return "the site ordered its ServerHello extensions differently between connections";
        }

        if (other.Flight.KeyShareGroup != first.Flight.KeyShareGroup)
        {
            return $"the site chose different key share groups (0x{first.Flight.KeyShareGroup:x4}, 0x{other.Flight.KeyShareGroup:x4})";
        }

        return other.Lengths.Length != first.Lengths.Length
            ? $"the site sent {first.Lengths.Length} encrypted records once and {other.Lengths.Length} another time"
            : null;
    }

    private sealed record Sample(MaskSiteFlight Flight, int[] Lengths);
}
