using System.Buffers;

namespace Gozar.Tests.Infrastructure;

/// <summary>The shared pool, counting what is out: a session that forgets to return a buffer shows up here.</summary>
public sealed class CountingArrayPool : ArrayPool<byte>
{
    private long _outstanding;

    public long Outstanding => Interlocked.Read(ref _outstanding);

    public override byte[] Rent(int minimumLength)
    {
        Interlocked.Increment(ref _outstanding);
        return Shared.Rent(minimumLength);
    }

    public override void Return(byte[] array, bool clearArray = false)
    {
        Interlocked.Decrement(ref _outstanding);
        Shared.Return(array, clearArray);
    }
}
