namespace Gozar.Relay;

/// <summary>When a session last moved a byte; read by the idle sweeper, written by the pumps without locks.</summary>
public sealed class SessionActivity
{
    private readonly TimeProvider _time;
    private long _lastTimestamp;

    public SessionActivity(TimeProvider time)
    {
        _time = time;
        _lastTimestamp = time.GetTimestamp();
    }

    public void Touch() => Volatile.Write(ref _lastTimestamp, _time.GetTimestamp());

    public TimeSpan IdleFor => _time.GetElapsedTime(Volatile.Read(ref _lastTimestamp));
}
