using Gozar.FakeDc;
using Gozar.FakeDc.Crypto;

namespace Gozar.Tests.FakeDc;

/// <summary>Fake DCs for tests, all with one RSA key made once per test run.</summary>
internal static class SharedDc
{
    private static readonly Lazy<DcRsaKey> Key = new(GenerateWithoutLeadingZeroNibble);

    public static FakeTelegramDc Start() => new(new FakeDcOptions { RsaKey = Key.Value });

    /// <summary>A DC that also lists <paramref name="foreignFingerprints"/> in resPQ, keys it does not hold.</summary>
    public static FakeTelegramDc Start(IReadOnlyList<long> foreignFingerprints) =>
        new(new FakeDcOptions { RsaKey = Key.Value, ForeignKeyFingerprints = foreignFingerprints });

    /// <summary>
    /// mtcute 0.30 stores a key under its fingerprint in 16 hex digits but looks it up without leading zeros, so it
    /// cannot find one whose fingerprint is below 2^60 (a key in 16): keep such keys out of a run.
    /// </summary>
    private static DcRsaKey GenerateWithoutLeadingZeroNibble()
    {
        while (true)
        {
            var key = DcRsaKey.Generate();
            if ((ulong)key.Fingerprint >> 60 != 0)
            {
                return key;
            }
        }
    }
}
