using System.Net.Http.Headers;

namespace Gozar.Load.Measure;

/// <summary>Scrapes the proxy's admin /metrics with its bearer token; <see cref="HeapSnapshot"/> of zeros when absent.</summary>
public sealed class HeapReader : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    private readonly HttpClient? _http;
    private readonly Uri? _metrics;

    /// <param name="metrics">http://127.0.0.1:PORT/metrics, or empty for none (the heap is then not sampled).</param>
    public HeapReader(string metrics, string token)
    {
        if (metrics.Length == 0)
        {
            return;
        }

        _metrics = new Uri(metrics);
        _http = new HttpClient { Timeout = Timeout };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
    }

    public bool Enabled => _http is not null;

    public async Task<HeapSnapshot> ReadAsync(CancellationToken cancellation)
    {
        if (_http is null)
        {
            return default;
        }

        try
        {
            return HeapSnapshot.Parse(await _http.GetStringAsync(_metrics, cancellation).ConfigureAwait(false));
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or FormatException)
        {
            return default;
        }
    }

    public void Dispose() => _http?.Dispose();
}
