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
    private int _armedLength;
    private long _outstandingBytes;

    /// <summary>Bytes of the arrays rented and not yet returned.</summary>
    public long OutstandingBytes => Interlocked.Read(ref _outstandingBytes);

    /// <summary>Completes when the armed rent is waiting.</summary>
    public Task Entered => _entered.Task;

    /// <param name="length">Only a rent of this many bytes waits (0: the next rent of any size).</param>
    public void ArmNextRent(int length = 0)
    {
        Volatile.Write(ref _armedLength, length);
        Volatile.Write(ref _armed, 1);
    }

    public void Release() => _released.Set();

    public override byte[] Rent(int minimumLength)
    {
        var length = Volatile.Read(ref _armedLength);
        if ((length == 0 || length == minimumLength) && Interlocked.Exchange(ref _armed, 0) == 1)
        {
            _entered.TrySetResult();
            _released.Wait(TimeSpan.FromSeconds(30));
        }

        var array = Shared.Rent(minimumLength);
        Interlocked.Add(ref _outstandingBytes, array.Length);
        return array;
    }

    public override void Return(byte[] array, bool clearArray = false)
    {
        Interlocked.Add(ref _outstandingBytes, -array.Length);
        Shared.Return(array, clearArray);
    }
}
