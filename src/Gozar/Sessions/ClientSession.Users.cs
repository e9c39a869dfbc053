using System.Net;
using System.Net.Sockets;
using Gozar.Diagnostics;
using Gozar.Users;

namespace Gozar.Sessions;

/// <summary>The user half of the handshake: a matched key is admitted only within its user's limits.</summary>
public sealed partial class ClientSession
{
    private UserAccount? _account;
    private string? _addressKey;

    /// <summary>The user this session was admitted as; null before (and for masked connections).</summary>
    public UserAccount? Account => Volatile.Read(ref _account);

    /// <summary>
    /// Takes one of the user's session slots. A refused client is masked like a probe: the verdict says why for the
    /// counters, the debug log names the user and the limit.
    /// </summary>
    private bool TryAdmitUser(int keyIndex)
    {
        var account = _context.Users.AccountOf(keyIndex);
        var addressKey = _context.AddressKeys.KeyOf(RemoteAddress());
        // Published before the slot is taken: a removal, disable or re-key that runs right after TryOpen ends the
        // user's sessions by looking for this account, and must find this one.
        Volatile.Write(ref _account, account);
        var admission = account.TryOpen(addressKey, _context.Time.GetUtcNow(), _context.Users.Keys[keyIndex]);
        if (admission != UserAdmission.Admitted)
        {
            Volatile.Write(ref _account, null);
            _verdict = HandshakeVerdict.UserRejected;
            Log.UserRejected(_context.Logger, account.Name, admission.ToString());
            return false;
        }

        _user = account.Name;
        _addressKey = addressKey;
        return true;
    }

    private void ReleaseUser()
    {
        if (Account is { } account)
        {
            account.Close(_addressKey!, _context.Time.GetUtcNow());
        }
    }

    private IPAddress? RemoteAddress()
    {
        if (_proxiedClient is { } proxied)
        {
            return proxied.Address;
        }

        try
        {
            return (_client.RemoteEndPoint as IPEndPoint)?.Address;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return null;
        }
    }
}
