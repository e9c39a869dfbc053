namespace Gozar.Configuration;

/// <summary>Reads TOML text into validated <see cref="ProxyOptions"/>; every failure is a value naming the key.</summary>
public static class ConfigLoader
{
}
