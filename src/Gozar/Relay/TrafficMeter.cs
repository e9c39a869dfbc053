namespace Gozar.Relay;

/// <summary>
/// Told how many bytes a pump received, once per chunk. Implementations are resolved once per session and must neither
/// allocate nor lock: the pump calls this on the hot path.
/// </summary>
public abstract class TrafficMeter
{
    public abstract void Count(int bytes);
}
