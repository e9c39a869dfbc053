using Gozar.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Gozar.Users;

/// <summary>
/// Keeps the state file in step with the users' accounts: written every save interval and at stop. A failed write
/// (disk full, permissions) is logged and counted, and the proxy runs on; the previous file stays whole.
/// </summary>
public sealed class UserStateStore : IDisposable
{
    private readonly Lock _gate = new();
    private readonly UserRegistry _users;
    private readonly GozarMetrics _metrics;
    private readonly ILogger _logger;
    private readonly ITimer _timer;
    private UserStateFile _file;
    private ClientAddressKeys _addressKeys;

    public UserStateStore(
        UserStateFile file, UserRegistry users, ClientAddressKeys addressKeys, GozarMetrics metrics, ILogger logger,
        TimeProvider time, TimeSpan interval)
    {
        _file = file;
        _users = users;
        _addressKeys = addressKeys;
        _metrics = metrics;
        _logger = logger;
        _timer = time.CreateTimer(_ => Save(), null, interval, interval);
    }

    public string Path => _file.Path;

    /// <summary>
    /// The saved state to start from: its salt and usage, or a fresh document when there is none or it cannot be
    /// read (then logged: usage starts over, and the next save replaces the unreadable file).
    /// </summary>
    public static UserStateDocument LoadOrFresh(UserStateFile file, ILogger logger)
    {
        var document = file.Load(out var error);
        if (document is null)
        {
            Log.StateLoadFailed(logger, error!);
            return new UserStateDocument();
        }

        return document;
    }

    /// <summary>The salt stored in <paramref name="document"/>, or null when it has none (or a malformed one).</summary>
    public static byte[]? SaltOf(UserStateDocument document)
    {
        var salt = new byte[ClientAddressKeys.SaltLength];
        return document.AddressSalt is { } text && Convert.TryFromBase64String(text, salt, out var written)
            && written == ClientAddressKeys.SaltLength
            ? salt
            : null;
    }

    /// <summary>Writes the file now; false (logged and counted) when it could not be written.</summary>
    public bool Save()
    {
        lock (_gate)
        {
            var document = new UserStateDocument
            {
                AddressSalt = Convert.ToBase64String(_addressKeys.Salt),
                Users = _users.Export(_addressKeys),
            };
            if (_file.Save(document) is not { } error)
            {
                return true;
            }

            Log.StateSaveFailed(_logger, _metrics.StateWriteFailed(), error);
            return false;
        }
    }

    /// <summary>A reload named another state file: later saves go there.</summary>
    public void MoveTo(UserStateFile file)
    {
        lock (_gate)
        {
            _file = file;
        }
    }

    /// <summary>A reload made new address keys (log_client_ips may have changed): later saves key addresses as they say.</summary>
    public void UseAddressKeys(ClientAddressKeys keys)
    {
        lock (_gate)
        {
            _addressKeys = keys;
        }
    }

    public void Dispose() => _timer.Dispose();
}
