using Gozar.Configuration;
using Gozar.Protocol.MiddleProxy;

namespace Gozar.Upstream.Middle;

/// <summary>The middle-end files on disk and the snapshot in use; a refresh swaps both at once.</summary>
public sealed class MiddleFiles
{
    /// <summary>Files from Telegram are a few KiB; anything much larger is not one of them.</summary>
    public const int MaxFileBytes = 1024 * 1024;

    private readonly MiddleOptions _options;
    private MiddleSnapshot? _current;

    public MiddleFiles(MiddleOptions options) => _options = options;

    /// <summary>What new ME connections use; null until the files were read or downloaded once.</summary>
    public MiddleSnapshot? Current => Volatile.Read(ref _current);

    /// <summary>Reads the files; returns why not (naming the key and file), keeping the current snapshot.</summary>
    public string? Load()
    {
        var secret = ReadFile("proxy_secret_file", _options.ProxySecretFile, out var secretBytes);
        if (secret is not null)
        {
            return secret;
        }

        var v4 = ReadConfig("proxy_config_file", _options.ProxyConfigFile, out var ipv4);
        if (v4 is not null)
        {
            return v4;
        }

        ProxyConfig? ipv6 = null;
        if (_options.ProxyConfigV6File is { } v6Path && ReadConfig("proxy_config_v6_file", v6Path, out ipv6) is { } v6)
        {
            return v6;
        }

        Volatile.Write(ref _current, new MiddleSnapshot(secretBytes!, ipv4!, ipv6));
        return null;
    }

    /// <summary>Writes freshly downloaded, already checked contents, each file replaced atomically, then swaps the snapshot.</summary>
    public void Replace(byte[] secret, string ipv4Text, string? ipv6Text, MiddleSnapshot snapshot)
    {
        WriteAtomically(_options.ProxySecretFile, secret);
        WriteAtomically(_options.ProxyConfigFile, System.Text.Encoding.UTF8.GetBytes(ipv4Text));
        if (_options.ProxyConfigV6File is { } v6Path && ipv6Text is not null)
        {
            WriteAtomically(v6Path, System.Text.Encoding.UTF8.GetBytes(ipv6Text));
        }

        Volatile.Write(ref _current, snapshot);
    }

    /// <summary>A reader never sees half a file: write beside it, then rename over it.</summary>
    private static void WriteAtomically(string path, byte[] contents)
    {
        var temporary = $"{path}.{Environment.ProcessId}.tmp";
        try
        {
            File.WriteAllBytes(temporary, contents);
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    private static string? ReadFile(string key, string path, out byte[]? contents)
    {
        contents = null;
        try
        {
            var info = new FileInfo(path);
            if (info.Exists && info.Length > MaxFileBytes)
            {
                return $"upstream.middle.{key}: '{path}' is larger than {MaxFileBytes} bytes";
            }

            contents = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"upstream.middle.{key}: cannot read '{path}': {e.Message}";
        }

        return key == "proxy_secret_file" && MiddleSnapshot.CheckSecret(contents) is { } problem
            ? $"upstream.middle.{key}: '{path}' {problem}"
            : null;
    }

    private static string? ReadConfig(string key, string path, out ProxyConfig? config)
    {
        config = null;
        var read = ReadFile(key, path, out var contents);
        if (read is not null)
        {
            return read;
        }

        if (MiddleSnapshot.CheckConfig(System.Text.Encoding.UTF8.GetString(contents!), out var parsed) is { } problem)
        {
            return $"upstream.middle.{key}: '{path}' {problem}";
        }

        config = parsed;
        return null;
    }
}
