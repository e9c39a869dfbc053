using System.Diagnostics.CodeAnalysis;

namespace Gozar.Configuration;

/// <summary>Either validated options or one line saying what is wrong and where.</summary>
public sealed class ConfigLoadResult
{
    private ConfigLoadResult(ProxyOptions? options, string? error)
    {
        Options = options;
        Error = error;
    }

    public ProxyOptions? Options { get; }

    /// <summary>One line naming the key (dotted path) and the problem; never contains a secret.</summary>
    public string? Error { get; }

    [MemberNotNullWhen(true, nameof(Options))]
    [MemberNotNullWhen(false, nameof(Error))]
    public bool Succeeded => Options is not null;

    public static ConfigLoadResult Success(ProxyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new ConfigLoadResult(options, null);
    }

    public static ConfigLoadResult Failure(string error)
    {
        ArgumentException.ThrowIfNullOrEmpty(error);
        return new ConfigLoadResult(null, error);
    }
}
