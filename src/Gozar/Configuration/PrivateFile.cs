using System.Text;

namespace Gozar.Configuration;

/// <summary>
/// Files that hold secrets (the config: user keys and the admin token; the state file: the salt that keys client
/// addresses), replaced atomically through a temporary file beside them.
/// </summary>
public static class PrivateFile
{
    /// <summary>
    /// Creates <paramref name="temporary"/> anew, readable by the owner only from its first byte. A file already at that
    /// name is removed first rather than reused: reused, it keeps its own mode (which the rename then gives the real
    /// file) and whoever has it open reads what is written; a plain create would also leave it readable under the
    /// umask until a later chmod.
    /// </summary>
    public static FileStream CreateTemporary(string temporary)
    {
        File.Delete(temporary);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        return new FileStream(temporary, options);
    }

    /// <summary>
    /// Writes <paramref name="text"/> to <paramref name="temporary"/> (see <see cref="CreateTemporary"/>), flushes it
    /// to disk and renames it onto <paramref name="path"/>, so a crash leaves the old file or the new one, never a
    /// torn or empty one. On failure the temporary file is removed and the exception goes to the caller.
    /// </summary>
    public static void Write(string path, string temporary, string text, bool overwrite)
    {
        try
        {
            using (var stream = CreateTemporary(temporary))
            {
                stream.Write(Encoding.UTF8.GetBytes(text));
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(temporary);
            throw;
        }
    }

    /// <summary>Removes a temporary file a failed write left; one that cannot be removed is replaced by the next write.</summary>
    public static void TryDelete(string temporary)
    {
        try
        {
            File.Delete(temporary);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The real file is untouched either way.
        }
    }
}
