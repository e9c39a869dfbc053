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
/// reading its digest. The table starts over past <see cref="MaxContexts"/>, which bounds what key changes over a long
/// run can leave behind; a thread's contexts go with the thread.
/// </remarks>
internal static class KeyedHmacCache
{
    public const int KeyLength = 16;
    public const int MaxContexts = 4096;

    [ThreadStatic]
    private static Dictionary<UInt128, IncrementalHash>? _threadContexts;

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
