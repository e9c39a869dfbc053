using Gozar.Load.Client;
using Gozar.Load.Measure;

namespace Gozar.Load.Scenarios;

/// <summary>What every scenario needs: the target, the processes to watch and the label its rows carry.</summary>
public sealed record ScenarioContext(LoadTarget Target, string Label, int DcPid, int TargetPid)
{
    /// <summary>Plaintext bytes per client write in bulk scenarios.</summary>
    public const int BulkChunk = 64 * 1024;

    /// <summary>Buffers of a connection that only exchanges small messages.</summary>
    public const int SmallChunk = 4 * 1024;

    public CpuWatch NewCpuWatch() => new(Environment.ProcessId, DcPid, TargetPid);

    public ScenarioResult Result(string scenario, double value, string unit, double[] cpu, string note = "", double p50 = 0, double p99 = 0) =>
        new(Label, scenario, value, unit, p50, p99, cpu[0], cpu[1], cpu[2], note);
}
