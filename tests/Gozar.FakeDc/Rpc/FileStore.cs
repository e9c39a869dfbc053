using System.Collections.Concurrent;

namespace Gozar.FakeDc.Rpc;

/// <summary>Parts received by upload.saveFilePart / saveBigFilePart, by file_id, shared by every connection.</summary>
public sealed class FileStore
{
    private readonly ConcurrentDictionary<long, ConcurrentDictionary<int, byte[]>> _files = new();

    public void SavePart(long fileId, int part, byte[] bytes) =>
        _files.GetOrAdd(fileId, _ => new ConcurrentDictionary<int, byte[]>())[part] = bytes;

    /// <summary>Joins parts 0, 1, 2, … up to the first missing one; false when part 0 never came.</summary>
    public bool TryAssemble(long fileId, out byte[] content)
    {
        if (!_files.TryGetValue(fileId, out var parts) || !parts.ContainsKey(0))
        {
            content = [];
            return false;
        }

        using var joined = new MemoryStream();
        for (var i = 0; parts.TryGetValue(i, out var bytes); i++)
        {
            joined.Write(bytes);
        }

        content = joined.ToArray();
        return true;
    }

    /// <summary>Every file as it stands now, by file_id.</summary>
    public IReadOnlyDictionary<long, byte[]> Snapshot()
    {
        var result = new Dictionary<long, byte[]>();
        foreach (var id in _files.Keys)
        {
            if (TryAssemble(id, out var content))
            {
                result[id] = content;
            }
        }

        return result;
    }
}
