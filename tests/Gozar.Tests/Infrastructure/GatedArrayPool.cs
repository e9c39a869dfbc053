using System.Buffers;

namespace Gozar.Tests.Infrastructure;

/// <summary>
/// The shared pool, except that once armed, the next rent waits until released: a session kept from running at an
/// exact point (say, after a client's bytes arrived but before it read them), as a proxy starved of CPU would be.
/// </summary>
public sealed class GatedArrayPool : ArrayPool<byte>
{
    private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ManualResetEventSlim _released = new();
    private int _armed;

    /// <summary>Completes when the armed rent is waiting.</summary>
    public Task Entered => _entered.Task;

    public void ArmNextRent() => Volatile.Write(ref _armed, 1);

    public void Release() => _released.Set();

    public override byte[] Rent(int minimumLength)
    {
        if (Interlocked.Exchange(ref _armed, 0) == 1)
        {
            _entered.TrySetResult();
            _released.Wait(TimeSpan.FromSeconds(30));
        }

        return Shared.Rent(minimumLength);
    }

    public override void Return(byte[] array, bool clearArray = false) => Shared.Return(array, clearArray);
}
