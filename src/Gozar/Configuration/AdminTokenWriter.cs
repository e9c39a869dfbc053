using System.Text.RegularExpressions;

namespace Gozar.Configuration;

/// <summary>
/// Puts a generated admin token into an existing config file right under its <c>[admin]</c> header, leaving every
/// other line (comments included) as it was. Written to a temporary file and renamed, so a crash leaves either file.
/// </summary>
public static partial class AdminTokenWriter
{
    /// <summary>The text with <c>token = "..."</c> added, or null when it has no <c>[admin]</c> header line.</summary>
    public static string? Insert(string text, string token)
    {
        var header = AdminHeader().Match(text);
        if (!header.Success)
        {
            return null;
        }

        var end = header.Index + header.Length;
        var newline = text.Contains("\r\n", StringComparison.Ordinal) ? "\r\n" : "\n";
        return text[..end] + newline + $"token = \"{token}\"" + text[end..];
    }

    /// <summary>Writes <paramref name="text"/> over <paramref name="path"/> atomically, readable by the owner only.</summary>
    public static void WriteAtomically(string path, string text) => PrivateFile.Write(path, path + ".tmp", text, overwrite: true);

    [GeneratedRegex(@"^[ \t]*\[[ \t]*admin[ \t]*\][ \t]*(#[^\r\n]*)?(?=\r?$)", RegexOptions.Multiline)]
    private static partial Regex AdminHeader();
}
