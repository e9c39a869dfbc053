namespace Gozar.Tests.RealClients;

public enum RealClient
{
    Telethon,
    GramJs,
    Mtcute,
    Tdlib,
}

/// <summary>
/// A theory that needs a real client library. Without the library it is skipped on a developer's machine, but not
/// in CI: there the test runs and fails, so a broken install step cannot turn the real-client tests green.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RealClientTheoryAttribute : TheoryAttribute
{
    public RealClientTheoryAttribute(RealClient client)
    {
        Client = client;
        var missing = client switch
        {
            RealClient.Telethon when RealClientEnvironment.TelethonPython is null => RealClientEnvironment.TelethonMissing,
            RealClient.GramJs when RealClientEnvironment.Node is null => RealClientEnvironment.GramJsMissing,
            RealClient.Mtcute when RealClientEnvironment.MtcuteNode is null => RealClientEnvironment.MtcuteMissing,
            RealClient.Tdlib when RealClientEnvironment.TdlibNode is null => RealClientEnvironment.TdlibMissing,
            _ => null,
        };
        if (missing is not null && !RealClientEnvironment.IsCi)
        {
            Skip = missing + " Skipped because CI is not set.";
        }
    }

    public RealClient Client { get; }
}
