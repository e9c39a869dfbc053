using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Gozar.Protocol.FakeTls;

/// <summary>
/// HMAC-SHA256 contexts keyed once per 16-byte user key and thread, reused for every hello and flight of that user:
/// a one-shot HMAC sets up and tears down a native context each call, about half of its cost at hello sizes, and a
/// hello is checked against every user in turn.
/// </summary>
/// <remarks>
/// Per thread, so a context is never shared between two computations; no await happens between taking one and
/// reading its digest. <see cref="ForgetAll"/> (a reload) has each thread start its table over at its next use, so
/// removed users' contexts do not stay for the life of the process; past <see cref="MaxContexts"/> keys a table
/// starts over too, and a thread's contexts go with the thread.
/// </remarks>
internal static class KeyedHmacCache
{
    public const int KeyLength = 16;
    public const int MaxContexts = 4096;

    private static int _generation;

    [ThreadStatic]
    private static Dictionary<UInt128, IncrementalHash>? _threadContexts;

    [ThreadStatic]
    private static int _threadGeneration;

    /// <summary>How many keys the calling thread holds a context for.</summary>
    public static int CountOnThisThread => _threadContexts?.Count ?? 0;

    /// <summary>The calling thread's context for <paramref name="key"/>, ready for data; null for keys of another length.</summary>
    public static IncrementalHash? For(ReadOnlySpan<byte> key)
    {
        if (key.Length != KeyLength)
        {
            return null;
        }

        var contexts = _threadContexts ??= [];
        var generation = Volatile.Read(ref _generation);
        if (_threadGeneration != generation)
        {
            Clear(contexts);
            _threadGeneration = generation;
        }

        var id = BinaryPrimitives.ReadUInt128LittleEndian(key);
        if (contexts.TryGetValue(id, out var context))
        {
            return context;
        }

        if (contexts.Count >= MaxContexts)
        {
            Clear(contexts);
        }

        context = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key);
        contexts.Add(id, context);
        return context;
    }

    /// <summary>Every thread drops all its contexts at its next use (the configured keys changed).</summary>
    public static void ForgetAll() => Interlocked.Increment(ref _generation);

    /// <summary>Drops the context for <paramref name="key"/> (after a failure left it holding part of a message).</summary>
    public static void Forget(ReadOnlySpan<byte> key)
    {
        if (key.Length == KeyLength && _threadContexts is { } contexts
            && contexts.Remove(BinaryPrimitives.ReadUInt128LittleEndian(key), out var context))
        {
            context.Dispose();
        }
    }

    private static void Clear(Dictionary<UInt128, IncrementalHash> contexts)
    {
        foreach (var context in contexts.Values)
        {
            context.Dispose();
        }

        contexts.Clear();
    }
}
