using System.Net;

namespace Gozar.Configuration;

/// <summary>The `[admin]` section: an HTTP listener for the API, the web page and /metrics. Absent: no listener.</summary>
public sealed record AdminOptions
{
    /// <summary>Where the admin listener binds when the section does not say (loopback only).</summary>
    public static readonly IPEndPoint DefaultListen = new(IPAddress.Loopback, 9090);

    public required IPEndPoint Listen { get; init; }

    /// <summary>
    /// The bearer token every /api/v1 call and the web page need. Null only until <c>gozar run</c> generates one and
    /// writes it into the config; a non-loopback listener without one is refused at load.
    /// </summary>
    public string? Token { get; init; }
}
