using Gozar.Configuration;
using Gozar.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Gozar.Hosting;

/// <summary>
/// Re-reads the config file on SIGHUP, when the file changes, and after an edit through <see cref="EditAsync"/>: the
/// whole file is parsed and validated first; a bad file is logged and the running configuration stays.
/// Reloads and edits run one at a time.
/// </summary>
public sealed class ConfigReloader : IDisposable
{
    /// <summary>
    /// Editors save in several steps (truncate, write, rename): a change is acted on only once the file has been quiet
    /// this long.
    /// </summary>
    private static readonly TimeSpan Debounce = TimeSpan.FromMilliseconds(300);

    private readonly SemaphoreSlim _oneAtATime = new(1, 1);
    private readonly ProxyServer _server;
    private readonly ILogger _logger;
    private readonly ITimer _debounce;
    private FileSystemWatcher? _watcher;

    public ConfigReloader(string configPath, ProxyServer server, TimeProvider time)
    {
        ArgumentException.ThrowIfNullOrEmpty(configPath);
        ArgumentNullException.ThrowIfNull(server);
        ConfigPath = Path.GetFullPath(configPath);
        _server = server;
        _logger = server.Context.Logger;
        _debounce = time.CreateTimer(_ => _ = ReloadAsync(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        server.Reloader = this;
    }

    public string ConfigPath { get; }

    /// <summary>Reloads after <see cref="Debounce"/> of quiet; what SIGHUP and file changes call.</summary>
    public void RequestReload() => _debounce.Change(Debounce, Timeout.InfiniteTimeSpan);

    /// <summary>
    /// Starts watching the config file's directory for writes, creations and renames onto the file. Where the system
    /// allows no more watches (inotify limits) this is logged and SIGHUP still works.
    /// </summary>
    public void Watch()
    {
        var directory = Path.GetDirectoryName(ConfigPath)!;
        try
        {
            _watcher = new FileSystemWatcher(directory, Path.GetFileName(ConfigPath))
            {
                NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.FileName | NotifyFilters.Size | NotifyFilters.CreationTime,
            };
            _watcher.Changed += (_, _) => RequestReload();
            _watcher.Created += (_, _) => RequestReload();
            _watcher.Renamed += (_, _) => RequestReload();
            _watcher.EnableRaisingEvents = true;
        }
        catch (Exception e) when (e is IOException or ArgumentException or PlatformNotSupportedException)
        {
            _watcher?.Dispose();
            _watcher = null;
            Log.ConfigWatchFailed(_logger, e.Message);
        }
    }

    /// <summary>Reads, validates and applies the config file now.</summary>
    public async Task<ReloadResult> ReloadAsync()
    {
        await _oneAtATime.WaitAsync().ConfigureAwait(false);
        try
        {
            return ReloadCore();
        }
        finally
        {
            _oneAtATime.Release();
        }
    }

    /// <summary>
    /// Edits the config file (see <see cref="ConfigFileEditor"/>) and applies it, with no reload in between. A refused
    /// edit leaves file and proxy as they were and comes back as the failure.
    /// </summary>
    public async Task<ReloadResult> EditAsync(Func<ConfigFileEditor, ConfigEditResult> edit)
    {
        ArgumentNullException.ThrowIfNull(edit);
        await _oneAtATime.WaitAsync().ConfigureAwait(false);
        try
        {
            var edited = edit(new ConfigFileEditor(ConfigPath));
            return edited.Succeeded ? ReloadCore() : ReloadResult.Failure(edited.Error!);
        }
        finally
        {
            _oneAtATime.Release();
        }
    }

    private ReloadResult ReloadCore()
    {
        var loaded = ConfigLoader.LoadFile(ConfigPath);
        var result = loaded.Succeeded ? _server.Apply(loaded.Options) : ReloadResult.Failure(loaded.Error);
        if (ReferenceEquals(result, ReloadResult.Stopping))
        {
            return result;
        }

        if (!result.Succeeded)
        {
            Log.ReloadFailed(_logger, result.Error!);
        }
        else if (result.Changes.Count > 0)
        {
            Log.Reloaded(_logger, string.Join("; ", result.Changes));
        }

        return result;
    }

    public void Dispose()
    {
        _watcher?.Dispose();
        _debounce.Dispose();
        _oneAtATime.Dispose();
    }
}
