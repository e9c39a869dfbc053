using Gozar.Configuration;

namespace Gozar.Users;

/// <summary>
/// The configured users of one configuration in one fixed order: the protocol layer reports a matching key by its
/// index here, and the index leads to the user's live <see cref="UserAccount"/>.
/// </summary>
public sealed class UserDirectory
{
    private readonly byte[][] _keys;
    private readonly UserAccount[] _accounts;

    /// <param name="accounts">The registry's accounts after applying <paramref name="users"/>: same names, same order.</param>
    public UserDirectory(IReadOnlyList<UserOptions> users, IReadOnlyList<UserAccount> accounts)
    {
        _keys = new byte[users.Count][];
        _accounts = new UserAccount[users.Count];
        for (var i = 0; i < users.Count; i++)
        {
            _keys[i] = users[i].Secret;
            _accounts[i] = accounts[i];
        }
    }

    public ReadOnlySpan<byte[]> Keys => _keys;

    public string NameOf(int index) => _accounts[index].Name;

    public UserAccount AccountOf(int index) => _accounts[index];
}
