using Gozar.Configuration;
using Gozar.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Gozar.Upstream.Middle;

/// <summary>
/// Downloads the proxy secret and the middle-end lists every upstream.middle.refresh (spec §7.1). Nothing is replaced
/// unless all of them downloaded and check out; a failed refresh keeps the last good files and is logged.
/// </summary>
public sealed class MiddleConfigRefresher : IDisposable
{
    private readonly MiddleOptions _options;
    private readonly MiddleFiles _files;
    private readonly GozarMetrics _metrics;
    private readonly ILogger _logger;
    private readonly HttpClient _http;
    private readonly SemaphoreSlim _running = new(1, 1);
    private ITimer? _timer;

    public MiddleConfigRefresher(MiddleOptions options, MiddleFiles files, TimeSpan connectTimeout, GozarMetrics metrics, ILogger logger)
    {
        _options = options;
        _files = files;
        _metrics = metrics;
        _logger = logger;
        _http = new HttpClient(new SocketsHttpHandler { ConnectTimeout = connectTimeout, AllowAutoRedirect = true })
        {
            Timeout = options.DownloadTimeout,
            MaxResponseContentBufferSize = MiddleFiles.MaxFileBytes,
        };
    }

    /// <summary>Raised after every attempt with its result; tests wait on it instead of sleeping.</summary>
    public event Action<bool>? Refreshed;

    /// <summary>Refreshes every interval, the first time at once when there are no files yet.</summary>
    public void Start(TimeProvider time, bool now)
    {
        _timer = time.CreateTimer(_ => _ = RefreshAsync(CancellationToken.None), null, now ? TimeSpan.Zero : _options.Refresh, _options.Refresh);
    }

    /// <summary>One download of every file; true when they were replaced.</summary>
    public async Task<bool> RefreshAsync(CancellationToken cancellation)
    {
        await _running.WaitAsync(cancellation).ConfigureAwait(false);
        try
        {
            var problem = await TryRefreshAsync(cancellation).ConfigureAwait(false);
            if (problem is null)
            {
                Log.MiddleRefreshed(_logger);
            }
            else
            {
                Log.MiddleRefreshFailed(_logger, problem);
            }

            _metrics.MiddleRefresh(problem is null);
            Refreshed?.Invoke(problem is null);
            return problem is null;
        }
        finally
        {
            _running.Release();
        }
    }

    private async Task<string?> TryRefreshAsync(CancellationToken cancellation)
    {
        var (secret, secretProblem) = await DownloadAsync(_options.SecretUrl, cancellation).ConfigureAwait(false);
        if (secret is null)
        {
            return $"proxy secret from {_options.SecretUrl}: {secretProblem}";
        }

        if (MiddleSnapshot.CheckSecret(secret) is { } badSecret)
        {
            return $"proxy secret from {_options.SecretUrl}: {badSecret}";
        }

        var (ipv4Bytes, ipv4Problem) = await DownloadAsync(_options.ConfigUrl, cancellation).ConfigureAwait(false);
        if (ipv4Bytes is null)
        {
            return $"middle-end list from {_options.ConfigUrl}: {ipv4Problem}";
        }

        var ipv4Text = System.Text.Encoding.UTF8.GetString(ipv4Bytes);
        if (MiddleSnapshot.CheckConfig(ipv4Text, out var ipv4) is { } badIpv4)
        {
            return $"middle-end list from {_options.ConfigUrl}: {badIpv4}";
        }

        string? ipv6Text = null;
        Protocol.MiddleProxy.ProxyConfig? ipv6 = null;
        if (_options.ProxyConfigV6File is not null)
        {
            var (ipv6Bytes, ipv6Problem) = await DownloadAsync(_options.ConfigV6Url, cancellation).ConfigureAwait(false);
            if (ipv6Bytes is null)
            {
                return $"IPv6 middle-end list from {_options.ConfigV6Url}: {ipv6Problem}";
            }

            ipv6Text = System.Text.Encoding.UTF8.GetString(ipv6Bytes);
            if (MiddleSnapshot.CheckConfig(ipv6Text, out var parsed) is { } badIpv6)
            {
                return $"IPv6 middle-end list from {_options.ConfigV6Url}: {badIpv6}";
            }

            ipv6 = parsed;
        }

        try
        {
            _files.Replace(secret, ipv4Text, ipv6Text, new MiddleSnapshot(secret, ipv4, ipv6));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"cannot write the files: {e.Message}";
        }

        return null;
    }

    private async Task<(byte[]? Body, string Problem)> DownloadAsync(Uri url, CancellationToken cancellation)
    {
        try
        {
            using var response = await _http.GetAsync(url, cancellation).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                return (null, $"HTTP {(int)response.StatusCode}");
            }

            return (await response.Content.ReadAsByteArrayAsync(cancellation).ConfigureAwait(false), string.Empty);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
        {
            return (null, e.Message);
        }
    }

    public void Dispose()
    {
        _timer?.Dispose();
        _http.Dispose();
    }
}
