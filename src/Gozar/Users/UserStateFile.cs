using System.Text.Json;
using Gozar.Configuration;

namespace Gozar.Users;

/// <summary>
/// Reads and writes the state file. A write goes to a temporary file that is flushed to disk and then renamed over
/// the old one, so a crash or a full disk leaves the previous state whole. Every failure is a value, never thrown.
/// </summary>
public sealed class UserStateFile
{
    private readonly Func<string, Stream> _createTemporary;

    /// <param name="createTemporary">Opens the temporary file for writing; tests inject a failing one.</param>
    public UserStateFile(string path, Func<string, Stream>? createTemporary = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Path = path;
        _createTemporary = createTemporary ?? PrivateFile.CreateTemporary;
    }

    public string Path { get; }

    /// <summary>
    /// Why <paramref name="path"/> can never be written, or null: a directory, or a directory that does not exist.
    /// Found at start, such a path is a config mistake; left to the saves, usage would be lost at every restart while
    /// the proxy only logged it.
    /// </summary>
    public static string? Unusable(string path)
    {
        if (Directory.Exists(path))
        {
            return $"'{path}' is a directory, not a file";
        }

        var directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path));
        return directory is not null && !Directory.Exists(directory) ? $"directory '{directory}' does not exist" : null;
    }

    /// <summary>The saved state; an empty document when there is no file yet; null with a reason when unreadable.</summary>
    public UserStateDocument? Load(out string? error)
    {
        error = null;
        try
        {
            if (!File.Exists(Path))
            {
                return new UserStateDocument();
            }

            using var stream = File.OpenRead(Path);
            var document = JsonSerializer.Deserialize(stream, UserStateJsonContext.Default.UserStateDocument);
            if (document is null || document.Version != UserStateDocument.CurrentVersion || !Complete(document))
            {
                error = $"state file '{Path}' has an unknown format";
                return null;
            }

            return document;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            error = $"cannot read state file '{Path}': {e.Message}";
            return null;
        }
    }

    /// <summary>
    /// JSON's null passes the serializer where the types say no null can be ("users": null, "alice": null): such a
    /// file is as unreadable as a malformed one.
    /// </summary>
    private static bool Complete(UserStateDocument document)
    {
        if (document.Users is null)
        {
            return false;
        }

        foreach (var record in document.Users.Values)
        {
            if (record is null)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Writes <paramref name="document"/> atomically; returns null, or why it failed (disk full, permissions).</summary>
    public string? Save(UserStateDocument document)
    {
        var temporary = Path + ".tmp";
        try
        {
            using (var stream = _createTemporary(temporary))
            {
                JsonSerializer.Serialize(stream, document, UserStateJsonContext.Default.UserStateDocument);
                if (stream is FileStream file)
                {
                    file.Flush(flushToDisk: true);
                }
            }

            File.Move(temporary, Path, overwrite: true);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            PrivateFile.TryDelete(temporary);
            return $"cannot write state file '{Path}': {e.Message}";
        }
    }
}
