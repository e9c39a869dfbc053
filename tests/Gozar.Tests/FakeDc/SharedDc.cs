using Gozar.FakeDc;
using Gozar.FakeDc.Crypto;

namespace Gozar.Tests.FakeDc;

/// <summary>Fake DCs for tests, all with one RSA key made once per test run.</summary>
internal static class SharedDc
{
    private static readonly Lazy<DcRsaKey> Key = new(DcRsaKey.Generate);

    public static FakeTelegramDc Start() => new(new FakeDcOptions { RsaKey = Key.Value });
}
