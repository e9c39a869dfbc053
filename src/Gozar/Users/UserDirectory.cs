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
    private readonly byte[]?[] _adTags;

    /// <param name="accounts">The registry's accounts after applying <paramref name="users"/>: same names, same order.</param>
    public UserDirectory(IReadOnlyList<UserOptions> users, IReadOnlyList<UserAccount> accounts)
    {
        _keys = new byte[users.Count][];
        _accounts = new UserAccount[users.Count];
        _adTags = new byte[]?[users.Count];
        for (var i = 0; i < users.Count; i++)
        {
            _keys[i] = users[i].Secret;
            _accounts[i] = accounts[i];
            _adTags[i] = users[i].AdTag;
        }
    }

    public ReadOnlySpan<byte[]> Keys => _keys;

    public string NameOf(int index) => _accounts[index].Name;

    public UserAccount AccountOf(int index) => _accounts[index];

    /// <summary>The user's own ad tag, or null (then the global one applies).</summary>
    public byte[]? AdTagOf(int index) => _adTags[index];
}
