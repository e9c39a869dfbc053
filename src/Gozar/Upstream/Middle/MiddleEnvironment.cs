using System.Buffers;
using Gozar.Configuration;
using Gozar.Diagnostics;
using Gozar.Sessions;
using Microsoft.Extensions.Logging;

namespace Gozar.Upstream.Middle;

/// <summary>What every ME connection of one running proxy shares.</summary>
public sealed record MiddleEnvironment(
    MiddleOptions Options,
    TimeProvider Time,
    IRandomSource Random,
    ArrayPool<byte> Buffers,
    GozarMetrics Metrics,
    ILogger Logger)
{
    /// <summary>sender_pid.port of RPC_HANDSHAKE: the official proxy puts its own fixed port there, not the ME socket's (§7.3).</summary>
    public ushort ProcessPort { get; init; }

    /// <summary>sender_pid.time: when the proxy started, unix seconds.</summary>
    public uint StartTime { get; init; }
}
