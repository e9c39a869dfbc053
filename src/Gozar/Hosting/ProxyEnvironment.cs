using System.Buffers;
using System.Net;
using Gozar.Listening;
using Gozar.Sessions;
using Microsoft.Extensions.Logging;

namespace Gozar.Hosting;

/// <summary>What a proxy takes from the world besides its options: logs, clock, randomness, buffers, name lookups.
/// Tests replace any of them.</summary>
public sealed record ProxyEnvironment(ILoggerFactory Loggers)
{
    public TimeProvider Time { get; init; } = TimeProvider.System;
    public IRandomSource Random { get; init; } = SecureRandomSource.Instance;
    public ArrayPool<byte> Buffers { get; init; } = Relay.BufferPool.Shared;

    /// <summary>Resolves a host name from the config (DC override, mask host).</summary>
    public Func<string, CancellationToken, Task<IPAddress[]>> Resolve { get; init; } = Dns.GetHostAddressesAsync;

    /// <summary>The open files left for clients; null (tests, other systems): the limits are taken as they are.</summary>
    public DescriptorBudget? Descriptors { get; init; }
}
